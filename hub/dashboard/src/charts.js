// Apache ECharts, bundled (tree-shaken to the charts the pages use). SVG so that charts stay sharp on a
// projector; the aria module describes each chart to screen readers and draws decal patterns on bars
// and areas, and line series differ by symbol, so that no series is told apart by colour alone.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, SankeyChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkPointComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, SankeyChart, AriaComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkPointComponent, TooltipComponent, SVGRenderer]);

export const SYMBOLS = ['circle', 'rect', 'triangle', 'diamond', 'pin', 'arrow', 'roundRect', 'emptyCircle', 'emptyRect', 'emptyTriangle'];

// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export function draw(element, option, label) {
  const chart = echarts.init(element, null, { renderer: 'svg' });
  chart.setOption({
    color: PALETTE,
    aria: { enabled: true, label: { description: label }, decal: { show: true } },
    textStyle: { fontSize: 14 },
    // Motion only for those who have not asked their system for less (and never in the tests' screenshots).
    animation: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
    tooltip: { trigger: option.series?.[0]?.type === 'sankey' ? 'item' : 'axis' },
    ...option,
  });
  // A chart whose page was left is disposed rather than resized to nothing.
  const observer = new ResizeObserver(() => {
    if (element.isConnected) {
      chart.resize();
    } else {
      observer.disconnect();
      chart.dispose();
    }
  });
  observer.observe(element);
  return chart;
}

/** Line or bar series over categories, one per group; null values (suppressed, missing) are gaps, not zeros. */
export function categorySeries(kind, categories, groups) {
  return {
    legend: groups.length > 1 ? { type: 'scroll', bottom: 0 } : undefined,
    grid: { left: 70, right: 20, top: 20, bottom: groups.length > 1 ? 60 : 30 },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value' },
    series: groups.map((g, i) => ({
      name: g.name,
      type: kind,
      data: g.values,
      symbol: SYMBOLS[i % SYMBOLS.length],
      symbolSize: 8,
      connectNulls: false,
    })),
  };
}
