import { describe, expect, it } from 'vitest';
import { deliveryChart } from '../../../server/support/web/chart';
import { escapeHtml, html, joinHtml } from '../../../server/support/web/html';

describe('support view HTML', () => {
  it('escapes every interpolated value unless it is itself html', () => {
    const hostile = `<script>alert('x')</script>" onmouseover="x\`&`;
    expect(html`<td title="${hostile}">${hostile}</td>`.value).toBe(
      '<td title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x&#96;&amp;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x&#96;&amp;</td>',
    );
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`${['<a>', html`<br>`, 3, null, undefined, false]}`.value).toBe('&lt;a&gt;<br>3');
    expect(joinHtml([html`<li>${'<x>'}</li>`, html`<li>y</li>`]).value).toBe('<li>&lt;x&gt;</li><li>y</li>');
    // Something that only looks like SafeHtml is still escaped.
    expect(html`${{ value: '<x>' } as unknown as string}`.value).toBe('[object Object]');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('draws one band and one point per step, red when outside the band', () => {
    const svg = deliveryChart([
      { id: 'VL', label: 'full load', nominalMm3: 50, measuredMm3: 50.5, toleranceMm3: 1.5, verdict: 'in_tolerance' },
      { id: 'LL', label: 'idle', nominalMm3: 5, measuredMm3: 6, toleranceMm3: 0.25, verdict: 'corrected' },
    ]).value;
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg.match(/fill="#1f5fbf"/g)).toHaveLength(1);
    expect(svg.match(/fill="#c0392b"/g)).toHaveLength(1);
    expect(svg).toContain('>20 %</text>');
    expect(deliveryChart([]).value).toContain('No delivery step');
  });
});
