import { num, trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { chartValue, el, panel } from '../panel.js';
import { caveats, cell, controls, errorBox, list, navigate, source } from '../page.js';

export const ALERT_COLUMNS = ['rank', 'state', 'table', 'measure', 'breakdown', 'month', 'observed', 'upper bound', 'score', 'method', 'months alarming', 'states alarming'];

const round = (x) => Math.round(x * 100) / 100;

export function alertRows(alerts) {
  return alerts.map((a, i) => [i + 1, a.state || 'region', a.table, a.measure, a.dims || 'all', a.month, round(a.observed ?? 0),
    round(a.upperbound ?? 0), round(a.score ?? 0), a.method, num(a.persistence), num(a.statesAlarming)]);
}

const key = (a) => [a.state ?? '', a.table, a.measure, a.dims ?? ''].join('|');

function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export async function alertsPage(main, context, params) {
  controls(main, 'alerts', [
    { name: 'from', label: 'From month', type: 'month', hint: 'default: the last 12 months with data' },
    { name: 'to', label: 'To month', type: 'month' },
    { name: 'states', label: 'States', placeholder: 'e.g. ITA, GRC', hint: 'empty: every state in scope and the region' },
  ], params);
  const answer = await trends.alerts({ from: params.get('from'), to: params.get('to'), states: list(params.get('states')), limit: 50 });
  const alerts = answer.alerts ?? [];
  source(main, {
    states: [...new Set(alerts.map((a) => a.state || 'region'))], first: answer.firstMonth, last: answer.lastMonth,
    extra: answer.computedAt ? `Detection pass of ${answer.computedAt.slice(0, 16).replace('T', ' ')} UTC over ${num(answer.seriesWatched)} series (Farrington Flexible, EARS C2)` : 'No detection pass has run yet',
  });
  caveats(main, ['An alert says a month is above what the series\' own past predicts (the upper bound); it is a prompt to look, not a finding.']);

  const rows = alertRows(alerts);
  const section = panel(main, { id: 'alerts', title: `Alerts, ranked (${alerts.length} of ${num(answer.total)})`, columns: ALERT_COLUMNS, rows, chart: null });
  // One button per row opens the alert's series: keyboard reachable, and named for screen readers.
  section.querySelectorAll('tbody tr').forEach((tr, i) => {
    const a = alerts[i];
    const show = el('button', { type: 'button', class: 'link', 'aria-label': `Show the series of alert ${i + 1}` }, 'series');
    show.addEventListener('click', () => navigate('alerts', { ...Object.fromEntries(params), alert: String(i + 1) }));
    tr.append(el('td', {}, show));
  });
  section.querySelector('thead tr').append(el('th', { scope: 'col' }, 'chart'));

  const chosen = alerts[Number(params.get('alert') ?? 1) - 1];
  if (chosen) {
    await seriesOfAlert(main, chosen, alerts);
  }
}

/** The alert's series over the two years before it, with the upper bound of each alarming month of that series. */
async function seriesOfAlert(main, alert, alerts) {
  const where = alert.dims ? alert.dims.split(';') : [];
  let series;
  try {
    series = await trends.series({ table: alert.table, measure: alert.measure, where, states: alert.state ? [alert.state] : [],
      period: 'month', from: addMonths(alert.month, -23), to: alert.month });
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  const bounds = new Map(alerts.filter((a) => key(a) === key(alert)).map((a) => [a.month, round(a.upperbound ?? 0)]));
  const rows = series.points.map((p) => [p.period, cell(p.value, p.flag), bounds.has(p.period) ? bounds.get(p.period) : 'not alarming']);
  const months = rows.map((r) => r[0]);
  const option = categorySeries('line', months, [
    { name: 'observed', values: rows.map((r) => chartValue(r[1])) },
    { name: 'upper bound (expected at most)', values: rows.map((r) => (typeof r[2] === 'number' ? r[2] : null)) },
  ]);
  option.series[1].lineStyle = { type: 'dashed' };
  option.series[0].markArea = { itemStyle: { opacity: 0.15 }, data: [[{ xAxis: alert.month }, { xAxis: alert.month }]] };
  panel(main, {
    id: 'alert-series',
    title: `Series of the alert: ${alert.state || 'region'} ${alert.table}.${alert.measure} ${alert.dims || ''} (${alert.month})`,
    note: `Observed ${round(alert.observed)} in ${alert.month}, above the upper bound ${round(alert.upperbound)} of the ${alert.method} method. Source: states ${series.states.join(', ')}, ${series.firstMonth} to ${series.lastMonth}, table ${series.table}.`,
    columns: ['month', alert.measure, 'upper bound'],
    rows,
    chart: option,
  });
}
