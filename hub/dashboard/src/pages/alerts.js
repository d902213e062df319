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
    await seriesOfAlert(main, chosen);
  }
}

/**
 * The alert's series over the two years before it, against the band of what its detector expected: the upper
 * bound of every month, computed by the hub for this series as the detection pass does (Trends AlertBand).
 */
async function seriesOfAlert(main, alert) {
  let band;
  try {
    band = await trends.alertBand({ state: alert.state ?? '', table: alert.table, measure: alert.measure, dims: alert.dims ?? '',
      from: addMonths(alert.month, -23), to: alert.month });
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  const months = band.months ?? [];
  const rows = months.map((m) => [m.month, cell(num(m.observed), m.flag ?? ''),
    m.upperbound === undefined ? 'no bound' : round(m.upperbound), m.method ? `${m.method}${m.alarm ? ' (alarm)' : ''}` : '']);
  const option = categorySeries('line', rows.map((r) => r[0]), [
    { name: 'observed', values: rows.map((r) => chartValue(r[1])) },
    { name: 'upper bound (expected at most)', values: rows.map((r) => (typeof r[2] === 'number' ? r[2] : null)) },
  ]);
  // The band: from zero to the upper bound, what the series' own past makes ordinary, with a dashed edge
  // (the browser test finds the band by this opacity).
  option.series[1].lineStyle = { type: 'dashed' };
  option.series[1].areaStyle = { opacity: 0.2 };
  option.series[0].markArea = { itemStyle: { opacity: 0.15 }, data: [[{ xAxis: alert.month }, { xAxis: alert.month }]] };
  panel(main, {
    id: 'alert-series',
    title: `Series of the alert: ${alert.state || 'region'} ${alert.table}.${alert.measure} ${alert.dims || ''} (${alert.month})`,
    note: `Observed ${round(alert.observed)} in ${alert.month}, above the upper bound ${round(alert.upperbound)} of the ${alert.method} method. The shaded band is each month's upper bound, computed for this series as the detection pass does (Farrington Flexible with 4 years before the month, EARS C2 otherwise); "no bound" where the month is unpublished or has too little history. Source: states ${(band.states ?? []).join(', ')}, table ${band.table}.`,
    columns: ['month', alert.measure, 'upper bound', 'method'],
    rows,
    chart: option,
  });
}
