import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// What the queries return is checked against a real Prometheus in
// test/integration/prometheus.test.ts; this checks the dashboard's own shape.
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; datasource: { uid: string } }>;
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
}

const dashboard = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', 'deploy', 'grafana', 'redis-health-sidecar.json'),
    'utf8',
  ),
) as { uid: string; panels: Panel[]; templating: { list: Variable[] } };

describe('deploy/grafana dashboard', () => {
  test('datasource, instance and target are variables; targets come from redis_health_up', () => {
    const byName = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(byName.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(byName.instance?.query).toEqual({
      query: 'label_values(redis_health_up, instance)',
      refId: 'instance',
    });
    expect(byName.target?.query).toEqual({
      query: 'label_values(redis_health_up{instance=~"$instance"}, target)',
      refId: 'target',
    });
  });

  test('every query uses the datasource variable and the instance filter', () => {
    const queries = dashboard.panels.flatMap((panel) => panel.targets ?? []);
    expect(queries.length).toBeGreaterThan(20);
    for (const query of queries) {
      expect(query.datasource.uid).toBe('${datasource}');
      expect(query.expr).toContain('instance=~"$instance"');
    }
  });

  test('panel ids are unique and panels do not overlap on the grid', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row += 1) {
        for (let col = x; col < x + w; col += 1) {
          const key = `${col},${row}`;
          expect({ cell: key, taken: cells.get(key) }).toEqual({ cell: key, taken: undefined });
          cells.set(key, panel.title);
        }
      }
    }
  });
});
