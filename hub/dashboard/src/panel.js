// A chart with its numbers: the table beside the chart holds exactly what the chart draws, and the CSV
// download is that table, cell for cell. A cell is a number, a text, or {value, flag}: flagged cells
// show their flag ("suppressed", "missing") instead of a number, and a "partial" sum shows as a lower bound.
import { draw } from './charts.js';

export function cellText(cell) {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'object') {
    if (cell.flag === 'suppressed' || cell.flag === 'missing') return cell.flag;
    if (cell.flag === 'partial') return `${cell.value} (partial)`;
    return String(cell.value);
  }
  return String(cell);
}

/** What a chart draws for a cell: its number, or nothing (a gap) when it was not published. */
export function chartValue(cell) {
  if (cell && typeof cell === 'object') return cell.flag === 'suppressed' || cell.flag === 'missing' ? null : cell.value;
  return cell;
}

export function csv(columns, rows) {
  const field = (text) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return [columns, ...rows.map((r) => r.map(cellText))].map((line) => line.map((t) => field(String(t))).join(',')).join('\n') + '\n';
}

let panels = 0;

/**
 * Appends a panel to parent: heading, optional chart, table of the numbers, CSV download.
 * spec: { title, id, columns: [label], rows: [[cell]], chart: option | null, chartLabel, note }
 */
export function panel(parent, spec) {
  const id = spec.id ?? `panel-${++panels}`;
  const section = el('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` });
  section.append(el('h2', { id: `${id}-title` }, spec.title));
  if (spec.note) section.append(el('p', { class: 'note' }, spec.note));
  // A table of many columns goes under its chart, at full width, rather than squeezed beside it.
  const body = el('div', { class: spec.chart && spec.columns.length <= 4 ? 'panel-body' : 'panel-body table-only' });
  section.append(body);
  let chartElement = null;
  if (spec.chart) {
    chartElement = el('div', { class: 'chart', role: 'img', 'aria-label': spec.chartLabel ?? spec.title });
    body.append(chartElement);
  }

  const wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${spec.title}: numbers` });
  const table = el('table', { class: 'numbers', 'data-panel': id });
  table.append(el('caption', {}, `${spec.title}${spec.rows.length === 0 ? ': no rows' : ''}`));
  const head = el('tr');
  spec.columns.forEach((c) => head.append(el('th', { scope: 'col' }, c)));
  table.append(el('thead', {}, head));
  const tbody = el('tbody');
  for (const row of spec.rows) {
    const tr = el('tr');
    row.forEach((cell, i) => {
      const text = cellText(cell);
      const flag = cell && typeof cell === 'object' ? cell.flag : '';
      const td = el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, text);
      if (flag) td.dataset.flag = flag;
      if (typeof chartValue(cell) === 'number') td.classList.add('num');
      tr.append(td);
    });
    tbody.append(tr);
  }
  table.append(tbody);
  wrap.append(table);
  body.append(wrap);

  const download = el('button', { type: 'button', class: 'csv' }, `Download CSV: ${spec.title}`);
  download.addEventListener('click', () => {
    const blob = new Blob([csv(spec.columns, spec.rows)], { type: 'text/csv' });
    const a = el('a', { href: URL.createObjectURL(blob), download: `${slug(spec.title)}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  section.append(download);
  parent.append(section);
  if (chartElement) draw(chartElement, spec.chart, spec.chartLabel ?? spec.title);
  return section;
}

export function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children) node.append(child);
  return node;
}
