import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freeClusterPort, freePort } from './free-port';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** redis://host:port/0 */
  readonly url: string;
  /** Path of the unix socket, when started with `unixSocket: true`. */
  readonly socketPath?: string;
  /** Where the server keeps its files (RDB, cluster nodes.conf). */
  readonly dir?: string;
  /** TLS port, when started with `tls`; the plain port stays open for the test's own use. */
  readonly tlsPort?: number;
  /** Freezes the server (SIGSTOP / docker pause): connections stay open, nothing answers. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Kills the server at once (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same port after kill(). */
  restart(): Promise<void>;
  /** Sends one command on a fresh connection. */
  command(...args: Array<string | number>): Promise<unknown>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Extra redis-server arguments, such as ['--requirepass', 'secret']. */
  args?: string[];
  unixSocket?: boolean;
  /**
   * Run as a sentinel monitoring this master (quorum 1, fast timeouts) instead of a Redis; with
   * `tls`, it serves TLS and reaches the master over TLS.
   */
  sentinelOf?: { masterName: string; host: string; port: number; quorum?: number };
  /** Password of the default user (`--requirepass`), used by the helper's own connections. */
  password?: string;
  /** Serve TLS too, with these files; `authClients` demands a client certificate (mTLS). */
  tls?: { cert: string; key: string; ca: string; authClients: boolean };
  /**
   * Always a local redis-server process: cluster nodes announce their own port, which a
   * container's mapped port would contradict.
   */
  processOnly?: boolean;
}

const started = new Set<RedisServer>();

const MISSING =
  'No redis-server to test against: no Docker engine answered and redis-server is not on PATH. ' +
  'Install it with `apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis`, ' +
  'or start Docker so that testcontainers can run redis:7.';

/**
 * Starts a real Redis for a test: through testcontainers when a Docker engine answers (and
 * REDIS_TEST_MODE is not `process`), else `redis-server` from PATH on a free loopback port.
 * Fails, never skips, when neither is available.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const server =
    process.env.REDIS_TEST_MODE !== 'process' &&
    dockerAnswers() &&
    !options.unixSocket &&
    !options.tls &&
    !options.processOnly
      ? await startContainer(options)
      : await startProcess(options);
  started.add(server);
  return server;
}

/** Stops every server this test file started; call from afterAll. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...started].map((server) => server.stop()));
  started.clear();
}

function dockerAnswers(): boolean {
  if (process.env.DOCKER_HOST === undefined && !existsSync('/var/run/docker.sock')) return false;
  return spawnSync('docker', ['info'], { timeout: 5000, stdio: 'ignore' }).status === 0;
}

async function startProcess(options: RedisServerOptions): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(MISSING);
  }
  const host = '127.0.0.1';
  const clusterNode = options.args?.includes('--cluster-enabled') === true;
  const port = clusterNode ? await freeClusterPort() : await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const socketPath = options.unixSocket ? join(dir, 'redis.sock') : undefined;
  const tls = options.tls;
  const tlsPort = tls === undefined ? undefined : await freePort();
  const tlsArgs =
    tls === undefined
      ? []
      : [
          '--tls-port',
          String(tlsPort),
          '--tls-cert-file',
          tls.cert,
          '--tls-key-file',
          tls.key,
          '--tls-ca-cert-file',
          tls.ca,
          '--tls-auth-clients',
          tls.authClients ? 'yes' : 'no',
        ];
  const args = [
    '--port',
    String(port),
    '--bind',
    host,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...(socketPath === undefined ? [] : ['--unixsocket', socketPath, '--unixsocketperm', '700']),
    ...tlsArgs,
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ...(options.args ?? []),
  ];
  const sentinel = options.sentinelOf;
  if (sentinel !== undefined) {
    // A sentinel rewrites its config file, so it gets one of its own in the temporary folder.
    const { masterName: name, host: masterHost, port: masterPort, quorum = 1 } = sentinel;
    const file = join(dir, 'sentinel.conf');
    writeFileSync(
      file,
      [
        `sentinel monitor ${name} ${masterHost} ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        '',
      ].join('\n'),
    );
    args.splice(
      0,
      args.length,
      file,
      '--sentinel',
      '--port',
      String(port),
      '--bind',
      host,
      '--dir',
      dir,
      // With TLS, the sentinel also talks TLS to the master it watches.
      ...(tls === undefined ? [] : [...tlsArgs, '--tls-replication', 'yes']),
      ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    );
  }
  let child: ChildProcess | undefined;
  const launch = async () => {
    // Redis logs to stdout, including why it refused to start; both go into the error.
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForPong(host, port, child);
  };
  await launch();
  const signal = (name: NodeJS.Signals) => {
    if (child?.exitCode === null && child.signalCode === null) child.kill(name);
  };
  const server: RedisServer = {
    host,
    port,
    url: `redis://${host}:${port}/0`,
    dir,
    ...(socketPath !== undefined && { socketPath }),
    ...(tlsPort !== undefined && { tlsPort }),
    pause: () => Promise.resolve(signal('SIGSTOP')),
    resume: () => Promise.resolve(signal('SIGCONT')),
    async kill() {
      const exited = child === undefined ? Promise.resolve() : exitOf(child);
      signal('SIGCONT');
      signal('SIGKILL');
      await exited;
    },
    restart: launch,
    command: (...command) => sendCommand(host, port, command, options.password),
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
      started.delete(server);
    },
  };
  return server;
}

async function startContainer(options: RedisServerOptions): Promise<RedisServer> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const container = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no', ...(options.args ?? [])])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const runtime = await getContainerRuntimeClient();
  const docker = runtime.container.getById(container.getId());
  const host = container.getHost();
  const port = container.getMappedPort(6379);
  const server: RedisServer = {
    host,
    port,
    url: `redis://${host}:${port}/0`,
    pause: () => docker.pause(),
    resume: () => docker.unpause(),
    kill: () => docker.kill(),
    restart: async () => {
      await docker.start();
      await waitForPong(host, port);
    },
    command: (...command) => sendCommand(host, port, command),
    async stop() {
      await container.stop({ timeout: 0 }).catch(() => undefined);
      started.delete(server);
    },
  };
  return server;
}

async function sendCommand(
  host: string,
  port: number,
  command: Array<string | number>,
  password?: string,
) {
  // RESP2 and no CLIENT SETINFO: this connection sends only the command asked for.
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    protocol: 2,
    disableClientInfo: true,
    ...(password !== undefined && { password }),
  });
  client.on('error', () => undefined); // the command's rejection carries it
  try {
    await client.connect();
    const [name, ...args] = command;
    return await client.call(String(name), ...args.map(String));
  } finally {
    client.disconnect();
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Waits until the server answers PING with PONG (raw RESP: no client library in the way). */
async function waitForPong(host: string, port: number, child?: ChildProcess): Promise<void> {
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child?.stdout?.on('data', keep);
  child?.stderr?.on('data', keep);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child !== undefined && child.exitCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode}: ${output.trim()}`);
    }
    if (await pongs(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on ${host}:${port} did not answer within 10s: ${output.trim()}`);
}

function pongs(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(500, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      // A server with a password answers -NOAUTH, one loading its data -LOADING: both are up.
      resolve(/^(\+PONG|-NOAUTH|-LOADING)/.test(data.toString()));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
