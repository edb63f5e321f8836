// Runs on a worker thread: loads the config there and posts it back (see load-off-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { isConfigError, loadConfig } from '.';
import type { LoadRequest, LoadAnswer } from './load-off-thread';

const { source, env, previous } = workerData as LoadRequest;
let answer: LoadAnswer;
try {
  answer = { config: loadConfig(source, env, previous) };
} catch (error) {
  if (!isConfigError(error)) throw error;
  answer = { problems: error.problems, source: error.source };
}
parentPort?.postMessage(answer);
