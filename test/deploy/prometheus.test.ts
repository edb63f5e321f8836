import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { promtool } from '../helpers/promtool';

const DIR = join(__dirname, '..', '..', 'deploy', 'prometheus');
const file = (name: string) => join(DIR, name);

interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
}
interface RuleTests {
  tests: Array<{
    input_series: Array<{ series: string }>;
    alert_rule_test?: Array<{
      alertname: string;
      exp_alerts?: Array<{ exp_labels: Record<string, string> }>;
    }>;
  }>;
}

/** The labels of a series selector such as `up{instance="a",target="main"}`. */
function labelsOf(series: string): Record<string, string> {
  const pairs = [...series.matchAll(/(\w+)="([^"]*)"/g)];
  return Object.fromEntries(pairs.map((match) => [match[1] ?? '', match[2] ?? '']));
}

/** Which sidecar and target a series or alert is about. */
function whoOf(labels: Record<string, string>): string {
  return `${labels.instance ?? ''}/${labels.target ?? ''}`;
}

describe('deploy/prometheus', () => {
  test('the alert rules load', () => {
    const run = promtool(['check', 'rules', file('alerts.yaml')]);
    expect(run.output).toContain('SUCCESS: 17 rules found');
    expect(run.status).toBe(0);
  });

  test('promtool test rules passes', () => {
    const run = promtool(['test', 'rules', file('alerts.test.yaml')]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  test('every alert has a test where it fires and a series beside it that must not', () => {
    const rules = parse(readFileSync(file('alerts.yaml'), 'utf8')) as RuleFile;
    const alerts = rules.groups.flatMap((group) => group.rules.flatMap((rule) => rule.alert ?? []));
    const tests = parse(readFileSync(file('alerts.test.yaml'), 'utf8')) as RuleTests;
    const covered = tests.tests.flatMap((group) => {
      const fired = (group.alert_rule_test ?? []).flatMap((entry) =>
        (entry.exp_alerts ?? []).map((alert) => ({
          name: entry.alertname,
          who: whoOf(alert.exp_labels),
        })),
      );
      const fed = new Set(group.input_series.map((input) => whoOf(labelsOf(input.series))));
      const firedWho = new Set(fired.map((alert) => alert.who));
      const quiet = [...fed].some((who) => !firedWho.has(who));
      return fired.map((alert) => ({ alert: alert.name, quiet }));
    });
    for (const alert of alerts) {
      expect(covered.filter((entry) => entry.alert === alert)).toContainEqual({
        alert,
        quiet: true,
      });
    }
  });

  test.each(['scrape-static.yaml', 'scrape-probe.yaml', 'scrape-discovery.yaml'])(
    '%s is a valid Prometheus config',
    (name) => {
      const run = promtool(['check', 'config', file(name)]);
      expect(run.output).toContain('is valid prometheus config file syntax');
      expect(run.status).toBe(0);
    },
  );

  test('scrape-kubernetes.yaml is valid but for the service discovery this promtool lacks', () => {
    // Debian builds Prometheus without kubernetes_sd_configs; every other key must still parse,
    // so the only complaint allowed is about that one field.
    const run = promtool(['check', 'config', file('scrape-kubernetes.yaml')]);
    if (run.status === 0) return;
    const complaints = run.output.split('\n').filter((line) => /^\s*line \d+:/.test(line));
    expect(complaints).toEqual([
      expect.stringMatching(/field kubernetes_sd_configs not found in type config.ScrapeConfig/),
    ]);
  });
});
