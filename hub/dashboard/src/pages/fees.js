import { trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { chartValue, panel } from '../panel.js';
import { caveats, cell, controls, list, source, span, years } from '../page.js';

/**
 * Fee quantiles by route and currency over time: one Trends.Fees question per year, each a quartile
 * estimate from that year's fee bands. Currencies are never mixed or converted.
 */
export async function feesPage(main, context, params) {
  const coverage = await trends.coverage({});
  const known = span(coverage);
  controls(main, 'fees', [
    { name: 'fromYear', label: 'From year', type: 'number', value: known.first.slice(0, 4) },
    { name: 'toYear', label: 'To year', type: 'number', value: known.last.slice(0, 4) },
    { name: 'origin', label: 'Origin', placeholder: 'e.g. SYR' },
    { name: 'destination', label: 'Destination', placeholder: 'e.g. ITA' },
    { name: 'currency', label: 'Currency', placeholder: 'e.g. EUR' },
    { name: 'states', label: 'States', placeholder: 'e.g. ITA, GRC', hint: 'empty: every state in scope' },
  ], params);
  const from = params.get('fromYear') || known.first.slice(0, 4);
  const to = params.get('toYear') || known.last.slice(0, 4);
  if (!from || !to) {
    source(main, { states: [], coverage });
    caveats(main);
    return;
  }
  const filter = { origin: params.get('origin'), destination: params.get('destination'), currency: params.get('currency'), states: list(params.get('states')) };
  const yearList = years(`${from}-01`, `${to}-12`);
  const answers = await Promise.all(yearList.map((y) => trends.fees({ ...filter, from: `${y}-01`, to: `${y}-12` })));
  const states = [...new Set(answers.flatMap((a) => a.coverage?.states ?? []))].sort();
  source(main, { states, first: `${from}-01`, last: `${to}-12`, coverage });
  caveats(main, ['Fees are estimated from the 1-2-5 bands that migrants\' reported fees fall in, interpolated within the band; a band below the threshold is not published, so estimates lean towards common bands.',
    'Fees stay in the currency paid: routes in different currencies are separate rows.']);

  const rows = [];
  const routes = new Map();
  answers.forEach((answer, i) => {
    for (const e of answer.estimates ?? []) {
      const q = new Map((e.quantiles ?? []).map((x) => [x.quantile, x.amount]));
      const route = `${e.origin}→${e.destination} ${e.currency}`;
      const row = [yearList[i], e.origin, e.destination, e.currency, cell(e.reports, e.flag), q.get(0.25) ?? 'not estimated', q.get(0.5) ?? 'not estimated', q.get(0.75) ?? 'not estimated'];
      rows.push(row);
      if (!routes.has(route)) routes.set(route, new Map());
      routes.get(route).set(yearList[i], row[6]);
    }
  });
  // The chart draws the median of the routes with the most reports, at most eight lines.
  const weight = (r) => rows.filter((x) => `${x[1]}→${x[2]} ${x[3]}` === r).reduce((s, x) => s + (chartValue(x[4]) ?? 0), 0);
  const drawn = [...routes.keys()].sort((a, b) => weight(b) - weight(a)).slice(0, 8);
  panel(main, {
    id: 'fees',
    title: 'Fee quartiles by route and currency, per year',
    note: drawn.length < routes.size ? `The chart draws the median of the ${drawn.length} routes with most reports; the table has all ${routes.size}.` : 'The chart draws the median (0.5 quantile).',
    columns: ['year', 'origin', 'destination', 'currency', 'reports', 'q0.25', 'median', 'q0.75'],
    rows,
    chart: categorySeries('line', yearList, drawn.map((r) => ({ name: r, values: yearList.map((y) => {
      const v = routes.get(r).get(y);
      return typeof v === 'number' ? v : null;
    }) }))),
    chartLabel: 'Median fee per route and currency, per year',
  });
}
