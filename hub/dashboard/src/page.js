// What every page has: its source (states, months, releases), the caveats, a form of controls whose
// values live in the address (#/page?field=value) so that a view can be shared, and its refusals.
import { ApiError, num } from './api.js';
import { el } from './panel.js';

export const CAVEATS = [
  'Detections are not persons: one person detected twice is counted twice.',
  'Definitions and recording practice differ between states; compare trends, not levels.',
  'Cells below a state\'s threshold are not published: they show as "suppressed", never as zero; months a state did not release show as "missing". A "partial" sum leaves some of them out and is a lower bound.',
  'Published values are perturbed (cell key method): a total may differ slightly from the sum of its parts.',
];

export function navigate(route, params) {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== undefined && v !== null)).toString();
  location.hash = `#/${route}${qs ? `?${qs}` : ''}`;
}

export function errorBox(e) {
  const refused = e instanceof ApiError && e.status === 403;
  return el('p', { class: 'error', role: 'alert' }, `${refused ? 'Not allowed' : 'The hub could not answer'}: ${e.message}`);
}

/**
 * The source statement: which states and months the answer rests on, and the releases received from
 * each of those states (from the coverage question, in the caller's scope).
 */
export function source(parent, { states, first, last, coverage, extra }) {
  const nodes = (coverage?.nodes ?? []).filter((n) => !states || states.length === 0 || states.includes(n.state));
  const releases = nodes.map((n) => `${n.state}: ${num(n.releases)} release${num(n.releases) === 1 ? '' : 's'}${n.lastReleaseAt ? `, latest received ${n.lastReleaseAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`);
  const p = el('p', { class: 'source' },
    el('strong', {}, 'Source: '),
    `states ${states && states.length ? states.join(', ') : 'none with data'}; months ${first || '?'} to ${last || '?'}`,
    releases.length ? `; releases: ${releases.join('; ')}` : '',
    extra ? `. ${extra}` : '.');
  parent.append(p);
  return p;
}

export function caveats(parent, more = []) {
  const details = el('details', { class: 'caveats', open: true }, el('summary', {}, 'Caveats'));
  const list = el('ul');
  [...more, ...CAVEATS].forEach((c) => list.append(el('li', {}, c)));
  details.append(list);
  parent.append(details);
}

/**
 * A form of controls; submitting it navigates to route with the values. fields: [{ name, label, type:
 * 'text'|'month'|'select'|'radio'|'number', options: [[value, label]], value, hint }].
 */
export function controls(parent, route, fields, params) {
  const form = el('form', { class: 'controls', 'aria-label': 'Question' });
  for (const f of fields) {
    const value = params.get(f.name) ?? f.value ?? '';
    const id = `f-${f.name}`;
    if (f.type === 'radio') {
      const set = el('fieldset', {}, el('legend', {}, f.label));
      for (const [v, label] of f.options) {
        const rid = `${id}-${v}`;
        set.append(el('span', { class: 'choice' },
          el('input', { type: 'radio', id: rid, name: f.name, value: v, checked: v === value }),
          el('label', { for: rid }, label)));
      }
      form.append(set);
      continue;
    }
    const wrap = el('div', { class: 'field' }, el('label', { for: id }, f.label));
    let input;
    if (f.type === 'select') {
      input = el('select', { id, name: f.name });
      for (const [v, label] of f.options) input.append(el('option', { value: v, selected: v === value }, label));
    } else {
      input = el('input', { id, name: f.name, type: f.type === 'month' ? 'text' : (f.type ?? 'text'), value,
        placeholder: f.type === 'month' ? 'YYYY-MM' : (f.placeholder ?? ''), pattern: f.type === 'month' ? '\\d{4}-\\d{2}' : undefined });
    }
    if (f.hint) {
      input.setAttribute('aria-describedby', `${id}-hint`);
      wrap.append(input, el('small', { id: `${id}-hint` }, f.hint));
    } else {
      wrap.append(input);
    }
    form.append(wrap);
  }
  form.append(el('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(route, Object.fromEntries(new FormData(form).entries()));
  });
  // Radio buttons answer at once: the quarter/year toggle and the chart kind need no extra click.
  form.querySelectorAll('input[type=radio]').forEach((r) => r.addEventListener('change', () => form.requestSubmit()));
  parent.append(form);
  return form;
}

/** A list parameter ("ITA, GRC" or "a=b, c=d") as an array. */
export function list(text) {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The flag of a value the engine answered, as the panels show it. */
export const cell = (value, flag) => ({ value: num(value), flag: flag ?? '' });

/** Year ranges: the years between two months, inclusive. */
export function years(first, last) {
  const out = [];
  for (let y = Number(first.slice(0, 4)); y <= Number(last.slice(0, 4)); y++) out.push(String(y));
  return out;
}

/** The span of months the states in the coverage released: the range the pages default to. */
export function span(coverage) {
  const nodes = (coverage?.nodes ?? []).filter((n) => n.firstMonth);
  if (nodes.length === 0) return { first: '', last: '' };
  return {
    first: nodes.map((n) => n.firstMonth).sort()[0],
    last: nodes.map((n) => n.lastMonth).sort().at(-1),
  };
}
