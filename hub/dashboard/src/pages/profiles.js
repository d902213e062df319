import { num, trends } from '../api.js';
import { categorySeries } from '../charts.js';
import { chartValue, panel } from '../panel.js';
import { caveats, cell, controls, list, source } from '../page.js';

const BREAKDOWNS = { migrants: ['nationality', 'sex', 'age_band'], smugglers: ['nationality', 'sex', 'role'] };

/** Migrants and smugglers by nationality, sex, age band and role: one Trends.Profiles question per breakdown. */
export async function profilesPage(main, context, params) {
  const subject = params.get('subject') === 'smugglers' ? 'smugglers' : 'migrants';
  controls(main, 'profiles', [
    { name: 'subject', label: 'Who', type: 'radio', options: [['migrants', 'Smuggled migrants'], ['smugglers', 'Smugglers']], value: 'migrants' },
    { name: 'from', label: 'From month', type: 'month' },
    { name: 'to', label: 'To month', type: 'month' },
    { name: 'states', label: 'States', placeholder: 'e.g. ITA, GRC', hint: 'empty: every state in scope' },
  ], params);
  const asked = { subject, from: params.get('from'), to: params.get('to'), states: list(params.get('states')) };
  const [coverage, ...answers] = await Promise.all([trends.coverage({}),
    ...BREAKDOWNS[subject].map((by) => trends.profiles({ ...asked, by: [by] }))]);
  const c = answers[0].coverage ?? {};
  source(main, { states: c.states ?? [], first: c.firstMonth, last: c.lastMonth, coverage,
    extra: `${num(c.missingMonths)} state-months in the range were not released and are counted nowhere` });
  caveats(main, ['Shares are of the published total; persons in unpublished cells are in no row.']);

  BREAKDOWNS[subject].forEach((by, i) => {
    const answer = answers[i];
    const rows = (answer.rows ?? []).map((r) => [r.dims?.[by] ?? '', cell(r.value, r.flag), `${(100 * (r.share ?? 0)).toFixed(1)}%`, num(r.states)]);
    panel(main, {
      id: `profile-${by}`,
      title: `${subject === 'migrants' ? 'Migrants' : 'Smugglers'} by ${by.replace('_', ' ')} (${answer.measure})`,
      columns: [by, answer.measure, 'share', 'states'],
      rows,
      chart: categorySeries('bar', rows.map((r) => r[0]), [{ name: answer.measure, values: rows.map((r) => chartValue(r[1])) }]),
    });
  });
}
