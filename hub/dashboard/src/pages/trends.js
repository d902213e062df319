import { num, trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { chartValue, panel } from '../panel.js';
import { caveats, cell, controls, list, source } from '../page.js';

/**
 * A measure per month, quarter or year, by a breakdown and under filters, as the Trends.Series question
 * (the engine picks the table). The table is a period × group pivot of exactly the points answered.
 */
export async function trendsPage(main, context, params) {
  const tables = context.catalogue;
  const measures = [...new Set(tables.flatMap((t) => t.measures))].sort();
  const measure = params.get('measure') || 'migrants';
  const dimensions = [...new Set(tables.filter((t) => t.measures.includes(measure)).flatMap((t) => t.dimensions))].sort();
  controls(main, 'trends', [
    { name: 'measure', label: 'Measure', type: 'select', options: measures.map((m) => [m, m]), value: 'migrants' },
    { name: 'by', label: 'Breakdown', type: 'select', options: [['', 'none (total)'], ['state', 'state'], ...dimensions.map((d) => [d, d])] },
    { name: 'where', label: 'Filters', placeholder: 'e.g. border_type=sea', hint: 'DIMENSION=CODE, several joined by commas' },
    { name: 'states', label: 'States', placeholder: 'e.g. ITA, GRC', hint: 'empty: every state in scope' },
    { name: 'from', label: 'From month', type: 'month' },
    { name: 'to', label: 'To month', type: 'month' },
    { name: 'period', label: 'Period', type: 'radio', options: [['quarter', 'Quarter'], ['year', 'Year'], ['month', 'Month']], value: 'year' },
    { name: 'chart', label: 'Chart', type: 'radio', options: [['line', 'Line'], ['bar', 'Bar']], value: 'line' },
  ], params);

  const question = {
    measure, by: params.get('by') ?? '', period: params.get('period') || 'year', from: params.get('from'), to: params.get('to'),
    states: list(params.get('states')), where: list(params.get('where')),
  };
  const [answer, coverage] = await Promise.all([trends.series(question), trends.coverage({})]);
  source(main, { states: answer.states, first: answer.firstMonth, last: answer.lastMonth, coverage, extra: `Answered from the ${answer.table} table` });
  caveats(main);

  const periods = [...new Set(answer.points.map((p) => p.period))];
  const totals = new Map();
  for (const p of answer.points) totals.set(p.group ?? '', (totals.get(p.group ?? '') ?? 0) + num(p.value));
  // Largest groups first, so that the legend and the columns read in order of weight.
  const groups = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
  const at = new Map(answer.points.map((p) => [`${p.period}|${p.group ?? ''}`, cell(p.value, p.flag)]));
  const rows = periods.map((period) => [period, ...groups.map((g) => at.get(`${period}|${g}`) ?? { value: 0, flag: 'missing' })]);
  const names = groups.map((g) => g || measure);
  const kind = params.get('chart') === 'bar' ? 'bar' : 'line';
  panel(main, {
    id: 'series',
    title: `${measure} per ${question.period}${question.by ? ` by ${question.by}` : ''}${question.where.length ? ` where ${question.where.join(', ')}` : ''}`,
    columns: [question.period, ...names],
    rows,
    chart: categorySeries(kind, periods, names.map((name, i) => ({ name, values: rows.map((r) => chartValue(r[i + 1])) }))),
  });
}
