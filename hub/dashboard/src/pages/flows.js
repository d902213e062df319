import { num, trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { chartValue, panel } from '../panel.js';
import { caveats, cell, controls, list, source } from '../page.js';

const partial = (r) => cell(r.migrants, r.flag);

/** Legs as a Sankey diagram (countries left as departures, right as arrivals: a return leg is no cycle) and the corridors. */
export async function flowsPage(main, context, params) {
  controls(main, 'flows', [
    { name: 'from', label: 'From month', type: 'month' },
    { name: 'to', label: 'To month', type: 'month' },
    { name: 'states', label: 'States', placeholder: 'e.g. ITA, GRC', hint: 'empty: every state in scope' },
    { name: 'top', label: 'Rows per list', type: 'number', value: '15' },
  ], params);
  const answer = await trends.flows({ from: params.get('from'), to: params.get('to'), states: list(params.get('states')), top: params.get('top') || 15 });
  const coverage = await trends.coverage({});
  const c = answer.coverage ?? {};
  source(main, { states: c.states ?? [], first: c.firstMonth, last: c.lastMonth, coverage,
    extra: `${num(c.missingMonths)} state-months in the range were not released and are counted nowhere` });
  caveats(main, ['A leg is a stretch of a journey as recorded by the detecting state; one migrant may travel several legs.']);

  const legs = answer.legs ?? [];
  const links = legs.filter((l) => num(l.migrants) > 0).map((l) => ({ source: `${l.fromCountry} ▸`, target: `▸ ${l.toCountry}`, value: num(l.migrants) }));
  const nodes = [...new Set(links.flatMap((l) => [l.source, l.target]))].map((name) => ({ name }));
  panel(main, {
    id: 'legs',
    title: 'Legs between countries (migrants)',
    note: 'Left: country of departure; right: country of arrival; band width by migrants.',
    columns: ['from', 'to', 'migrants', 'states', 'months published', 'months not published'],
    rows: legs.map((l) => [l.fromCountry, l.toCountry, partial(l), num(l.states), num(l.publishedMonths), num(l.unpublishedMonths)]),
    chart: links.length ? { series: [{ type: 'sankey', data: nodes, links, emphasis: { focus: 'adjacency' }, label: { fontSize: 14 }, lineStyle: { color: 'gradient', opacity: 0.5 } }] } : null,
    chartLabel: `Sankey diagram of ${links.length} legs between countries`,
  });

  const corridors = answer.corridors ?? [];
  const rows = corridors.map((r) => [r.corridor, partial(r), num(r.states), num(r.publishedMonths), num(r.unpublishedMonths)]);
  panel(main, {
    id: 'corridors',
    title: 'Top corridors (migrants)',
    columns: ['corridor', 'migrants', 'states', 'months published', 'months not published'],
    rows,
    chart: categorySeries('bar', rows.map((r) => r[0]), [{ name: 'migrants', values: rows.map((r) => chartValue(r[1])) }]),
  });
}
