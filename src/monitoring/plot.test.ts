import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineChartSvg } from './plot.ts';

test('lineChartSvg: one path per series, titles and names escaped', () => {
  const svg = lineChartSvg([
    {
      title: 'CPU <%>',
      series: [
        {
          name: 'head',
          points: [
            [0, '1'],
            [2, '3'],
          ],
        },
        {
          name: 'w&1',
          points: [
            [0, '2'],
            [2, 'NaN'],
            [4, '1'],
          ],
        },
      ],
    },
  ]);
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.match(svg, /CPU &lt;%&gt;/);
  assert.match(svg, /w&amp;1/);
  assert.doesNotMatch(svg, /NaN/);
});
