import { hub, num } from '../api.js';
import { categorySeries } from '../charts.js';
import { panel } from '../panel.js';
import { caveats, source } from '../page.js';

const when = (iso) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');

/** For operators: each node's last release, months covered, certificate expiry and what it said at its last Hello. */
export async function nodesPage(main) {
  const answer = await hub.nodes();
  const nodes = answer.nodes ?? [];
  source(main, { states: nodes.map((n) => n.state), first: nodes.map((n) => n.firstMonth).filter(Boolean).sort()[0],
    last: nodes.map((n) => n.lastMonth).filter(Boolean).sort().at(-1), extra: `As of ${when(answer.asOf)} UTC` });
  caveats(main, ['The outbox depth is what the node reported at its last Hello: releases waiting to be sent then, not now.']);
  const rows = nodes.map((n) => [n.state, n.enabled ? 'enabled' : 'disabled', n.certificateNotAfter ? n.certificateNotAfter.slice(0, 10) : 'none',
    n.certificateStatus, when(n.lastReleaseAt), num(n.releases), n.firstMonth ? `${n.firstMonth} to ${n.lastMonth}` : 'none', num(n.months), num(n.gaps),
    n.monthsBehind ?? 'no data', when(n.helloAt), n.softwareVersion ?? 'no Hello yet', n.outboxDepth ?? 'no Hello yet']);
  panel(main, {
    id: 'nodes',
    title: 'Nodes',
    columns: ['state', 'node', 'certificate until', 'certificate', 'last release (UTC)', 'releases', 'months covered', 'months', 'gaps', 'months behind', 'last Hello (UTC)', 'software', 'outbox depth at Hello'],
    rows,
    chart: categorySeries('bar', rows.map((r) => r[0]), [{ name: 'months behind', values: rows.map((r) => (typeof r[9] === 'number' ? r[9] : null)) },
      { name: 'outbox depth at Hello', values: rows.map((r) => (typeof r[12] === 'number' ? r[12] : null)) }]),
    chartLabel: 'Months behind and outbox depth per node',
  });
}
