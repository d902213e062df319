import { num, trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { chartValue, panel } from '../panel.js';
import { caveats, cell, source } from '../page.js';
import { alertRows, ALERT_COLUMNS } from './alerts.js';

export async function overview(main) {
  const [totals, alerts, coverage] = await Promise.all([
    trends.series({ table: 'totals', measure: 'migrants', period: 'year' }),
    trends.alerts({ limit: 10 }),
    trends.coverage({}),
  ]);
  source(main, { states: totals.states, first: totals.firstMonth, last: totals.lastMonth, coverage });
  caveats(main);

  const rows = totals.points.map((p) => [p.period, cell(p.value, p.flag)]);
  panel(main, {
    id: 'regional-totals',
    title: 'Migrants detected per year, all states in scope',
    columns: ['year', 'migrants'],
    rows,
    chart: categorySeries('bar', rows.map((r) => r[0]), [{ name: 'migrants', values: rows.map((r) => chartValue(r[1])) }]),
  });

  panel(main, {
    id: 'top-alerts',
    title: 'Top alerts',
    note: alerts.computedAt ? `Detection pass of ${alerts.computedAt.slice(0, 16).replace('T', ' ')} UTC over ${num(alerts.seriesWatched)} series; ${num(alerts.total)} alerts from ${alerts.firstMonth} to ${alerts.lastMonth}.` : 'No detection pass has run yet.',
    columns: ALERT_COLUMNS,
    rows: alertRows(alerts.alerts ?? []),
    chart: null,
  });

  panel(main, {
    id: 'freshness',
    title: 'Freshness of each state\'s data',
    columns: ['state', 'first month', 'last month', 'months released', 'gaps', 'months behind', 'releases', 'last release received (UTC)'],
    rows: (coverage.nodes ?? []).map((n) => [n.state, n.firstMonth || 'none', n.lastMonth || 'none', num(n.months), num(n.gaps),
      n.lastMonth ? num(n.monthsBehind) : 'no data', num(n.releases), n.lastReleaseAt ? n.lastReleaseAt.slice(0, 16).replace('T', ' ') : 'never']),
    chart: null,
  });
}
