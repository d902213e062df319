import { num, trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { panel } from '../panel.js';
import { caveats, controls, source } from '../page.js';

const round = (x) => Math.round((x ?? 0) * 1000) / 1000;

/** States ranked by how alike their recent trends are to one state's (the analyst's own by default). */
export async function similarPage(main, context, params) {
  const coverage = await trends.coverage({});
  const states = (coverage.nodes ?? []).map((n) => n.state);
  const state = params.get('state') || context.who.state || states[0] || '';
  controls(main, 'similar', [
    { name: 'state', label: 'State', type: 'select', options: [...new Set([context.who.state, ...states].filter(Boolean))].map((s) => [s, s]), value: state },
    { name: 'months', label: 'Months', type: 'number', value: '24', hint: 'window ending at the last month with data' },
  ], params);
  if (!state) {
    source(main, { states: [], coverage });
    caveats(main);
    return;
  }
  const answer = await trends.similar(state, { months: params.get('months') || 24, top: 10 });
  const ranked = answer.states ?? [];
  source(main, { states: [state, ...ranked.map((s) => s.similarState)], first: answer.firstMonth, last: answer.lastMonth, coverage });
  caveats(main, ['Alike means the series move together (correlation of the watched series) and alarm in the same months, not that the levels are equal.']);
  const rows = ranked.map((s, i) => [i + 1, s.similarState, round(s.score), round(s.correlation), num(s.sharedSeries), num(s.sharedAlerts), s.reason]);
  panel(main, {
    id: 'similar',
    title: `States most alike to ${state}`,
    columns: ['rank', 'state', 'score', 'correlation', 'shared series', 'shared alerts', 'reason'],
    rows,
    chart: categorySeries('bar', rows.map((r) => r[1]), [{ name: 'score', values: rows.map((r) => r[2]) }]),
  });
}
