import Foundation

/// A self-contained HTML page of a report, and of the baseline beside it: the environment of
/// both, a percentile curve per request class, and per metric every sample, the median, the
/// baseline and the change. Everything is inline (data as JSON, the charts drawn as SVG by a
/// script), so the file opens offline and can be attached to a CI run.
///
/// When its script has run, the page sets `data-report="rendered"` and `data-charts` (curves
/// drawn) on `<html>`; an uncaught script error sets `data-script-errors` instead.
public enum HTMLReport {
    private struct Payload: Encodable {
        var current: BenchmarkReport
        var baseline: BenchmarkReport?
        var baselineName: String?
    }

    /// The page for `report`, with `baseline` (saved as `baselineName`) beside it when given.
    public static func render(_ report: BenchmarkReport, baseline: BenchmarkReport? = nil, baselineName: String? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(Payload(current: report, baseline: baseline, baselineName: baselineName)), as: UTF8.self)
        // "<" only occurs inside JSON strings, where \u003c means the same and cannot close the script element.
        let data = json.replacingOccurrences(of: "<", with: "\\u003c")
        let title = "guts bench \(report.date)".replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>\(style)</style>
            <script>window.addEventListener('error', function () {
              var root = document.documentElement;
              root.dataset.scriptErrors = String(Number(root.dataset.scriptErrors || 0) + 1);
            });</script>
            </head>
            <body>
            <main id="report"><noscript>This report draws its tables and charts with JavaScript.</noscript></main>
            <script type="application/json" id="bench-data">\(data)</script>
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    private static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:middle}
        th{font-weight:600;background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .worse{color:#cf222e;font-weight:600}.better{color:#1a7f37}.muted{color:#656d76}.note{color:#656d76;font-size:12px;margin:2px 0}
        .charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #d0d7de;border-radius:6px;padding:6px}
        .legend span{margin-right:14px}.current{color:#0969da}.baseline{color:#8c959f}
        svg text{font:11px system-ui,sans-serif;fill:#57606a}
        """

    private static let script = #"""
        (function () {
          'use strict';
          var data = JSON.parse(document.getElementById('bench-data').textContent);
          var current = data.current, baseline = data.baseline || null;
          var SVG = 'http://www.w3.org/2000/svg';
          var root = document.getElementById('report');
          root.textContent = '';
          var charts = 0;

          function html(tag, attributes, text) {
            var node = document.createElement(tag);
            for (var key in attributes || {}) node.setAttribute(key, attributes[key]);
            if (text !== undefined) node.textContent = text;
            return node;
          }
          function svg(tag, attributes, text) {
            var node = document.createElementNS(SVG, tag);
            for (var key in attributes || {}) node.setAttribute(key, attributes[key]);
            if (text !== undefined) node.textContent = text;
            return node;
          }
          function format(value) {
            if (value === null || value === undefined || !isFinite(value)) return '-';
            var magnitude = Math.abs(value);
            var decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : magnitude >= 1 ? 3 : 4;
            return String(Number(value.toFixed(decimals)));
          }
          function row(cells, header) {
            var tr = html('tr');
            cells.forEach(function (cell) {
              if (cell instanceof Node) { var td = html(header ? 'th' : 'td'); td.appendChild(cell); tr.appendChild(td); }
              else tr.appendChild(html(header ? 'th' : 'td', typeof cell === 'number' ? { class: 'num' } : {}, String(cell)));
            });
            return tr;
          }
          function niceMaximum(value) {
            if (!(value > 0)) return 1;
            var step = Math.pow(10, Math.floor(Math.log10(value)));
            var scaled = value / step;
            return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * step;
          }

          // The x axis counts nines: 90% is 1, 99% is 2, 99.9% is 3; the maximum sits at the right edge.
          var NINES_AT_MAX = 5;
          function nines(percentile) {
            return percentile >= 100 ? NINES_AT_MAX : Math.min(NINES_AT_MAX - 0.5, Math.log10(100 / (100 - percentile)));
          }

          function curveChart(curve, before) {
            var width = 460, height = 240, left = 54, right = 12, top = 12, bottom = 36;
            var plotWidth = width - left - right, plotHeight = height - top - bottom;
            var values = curve.points.map(function (p) { return p.value; });
            if (before) values = values.concat(before.points.map(function (p) { return p.value; }));
            var yMaximum = niceMaximum(Math.max.apply(null, values));
            function x(percentile) { return left + plotWidth * nines(percentile) / NINES_AT_MAX; }
            function y(value) { return top + plotHeight * (1 - value / yMaximum); }
            var chart = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img',
                                    'aria-label': curve.name + ' latency percentiles' });
            for (var tick = 0; tick <= 4; tick++) {
              var value = yMaximum * tick / 4;
              chart.appendChild(svg('line', { x1: left, x2: width - right, y1: y(value), y2: y(value), stroke: '#eaeef2' }));
              chart.appendChild(svg('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end' }, format(value)));
            }
            [[0, '0%'], [90, '90%'], [99, '99%'], [99.9, '99.9%'], [99.99, '99.99%'], [100, 'max']].forEach(function (mark) {
              chart.appendChild(svg('line', { x1: x(mark[0]), x2: x(mark[0]), y1: top, y2: top + plotHeight, stroke: '#eaeef2' }));
              chart.appendChild(svg('text', { x: x(mark[0]), y: height - bottom + 16, 'text-anchor': 'middle' }, mark[1]));
            });
            chart.appendChild(svg('text', { x: left + plotWidth / 2, y: height - 4, 'text-anchor': 'middle' }, 'percentile'));
            chart.appendChild(svg('text', { x: 12, y: top + plotHeight / 2, transform: 'rotate(-90 12 ' + (top + plotHeight / 2) + ')',
                                            'text-anchor': 'middle' }, curve.unit));
            function line(points, color, dashed) {
              var path = points.map(function (p, i) { return (i ? 'L' : 'M') + x(p.percentile).toFixed(1) + ' ' + y(p.value).toFixed(1); }).join(' ');
              chart.appendChild(svg('path', { d: path, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': dashed ? '5 4' : 'none' }));
              points.forEach(function (p) {
                var dot = svg('circle', { cx: x(p.percentile), cy: y(p.value), r: 2.5, fill: color });
                dot.appendChild(svg('title', {}, 'p' + p.percentile + ': ' + format(p.value) + ' ' + curve.unit));
                chart.appendChild(dot);
              });
            }
            if (before) line(before.points, '#8c959f', true);
            line(curve.points, '#0969da', false);
            var box = html('div', { class: 'chart' });
            box.appendChild(html('div', {}, curve.name + ' (' + curve.count + ' requests' + (before ? ', baseline ' + before.count : '') + ')'));
            box.appendChild(chart);
            charts += 1;
            return box;
          }

          // Every sample as a dot on one line, the median as a bar, the baseline's median as a grey diamond.
          function spreadStrip(metric, before) {
            var width = 170, height = 20, pad = 6;
            var samples = metric.sampleValues || [metric.value];
            var all = samples.concat([metric.value]).concat(before ? [before.value] : []);
            var low = Math.min.apply(null, all), high = Math.max.apply(null, all);
            if (high === low) { high = high === 0 ? 1 : high * 1.05; low = low * 0.95; }
            function x(value) { return pad + (width - 2 * pad) * (value - low) / (high - low); }
            var strip = svg('svg', { width: width, height: height, class: 'spread' });
            strip.appendChild(svg('line', { x1: pad, x2: width - pad, y1: height / 2, y2: height / 2, stroke: '#d0d7de' }));
            if (before) {
              var bx = x(before.value), mid = height / 2;
              var diamond = svg('path', { d: 'M' + bx + ' ' + (mid - 6) + ' L' + (bx + 5) + ' ' + mid + ' L' + bx + ' ' + (mid + 6) + ' L' + (bx - 5) + ' ' + mid + ' Z',
                                          fill: 'none', stroke: '#8c959f', 'stroke-width': 1.5 });
              diamond.appendChild(svg('title', {}, 'baseline ' + format(before.value)));
              strip.appendChild(diamond);
            }
            samples.forEach(function (value, index) {
              var dot = svg('circle', { cx: x(value), cy: height / 2, r: 3.5, fill: '#0969da', 'fill-opacity': 0.6 });
              dot.appendChild(svg('title', {}, 'sample ' + (index + 1) + ': ' + format(value)));
              strip.appendChild(dot);
            });
            strip.appendChild(svg('line', { x1: x(metric.value), x2: x(metric.value), y1: 2, y2: height - 2, stroke: '#1b1f24', 'stroke-width': 2 }));
            return strip;
          }

          function change(metric, before) {
            if (!before || !(before.value > 0)) return html('span', { class: 'muted' }, '-');
            var relative = (metric.value - before.value) / before.value;
            var worse = metric.direction === 'lowerIsBetter' ? relative > 0 : metric.direction === 'higherIsBetter' ? relative < 0 : null;
            var text = (relative >= 0 ? '+' : '') + (relative * 100).toFixed(1) + '%';
            return html('span', { class: worse === null || relative === 0 ? 'muted' : worse ? 'worse' : 'better' }, text);
          }

          root.appendChild(html('h1', {}, 'guts bench'));
          root.appendChild(html('p', { class: 'muted' }, current.date + ' · target ' + current.target +
            (baseline ? ' · baseline ' + (data.baselineName || '') + ' from ' + baseline.date : ' · no baseline')));
          var legend = html('p', { class: 'legend' });
          legend.appendChild(html('span', { class: 'current' }, '● current run'));
          if (baseline) legend.appendChild(html('span', { class: 'baseline' }, '◇ baseline (dashed curves)'));
          root.appendChild(legend);

          root.appendChild(html('h2', {}, 'Environment'));
          var environment = html('table');
          environment.appendChild(row(['', 'current'].concat(baseline ? ['baseline'] : []), true));
          [['cpuModel', 'CPU'], ['cores', 'cores'], ['kernel', 'kernel'], ['buildConfiguration', 'build'], ['rocksDBOptions', 'RocksDB'],
           ['hostname', 'host']].forEach(function (field) {
            var cells = [field[1], String(current.environment[field[0]])];
            if (baseline) cells.push(String(baseline.environment[field[0]]));
            environment.appendChild(row(cells));
          });
          root.appendChild(environment);

          current.scenarios.forEach(function (scenario) {
            var before = baseline ? baseline.scenarios.find(function (s) { return s.name === scenario.name; }) : null;
            var section = html('section', { id: 'scenario-' + scenario.name });
            section.appendChild(html('h2', {}, scenario.name));
            var parameters = Object.keys(scenario.parameters).sort().map(function (key) { return key + '=' + scenario.parameters[key]; });
            if (parameters.length) section.appendChild(html('p', { class: 'note' }, parameters.join(' · ')));
            scenario.notes.forEach(function (note) { section.appendChild(html('p', { class: 'note' }, note)); });
            if (baseline && !before) section.appendChild(html('p', { class: 'note' }, 'the baseline has no ' + scenario.name + ' scenario'));
            if ((scenario.curves || []).length) {
              var box = html('div', { class: 'charts' });
              scenario.curves.forEach(function (curve) {
                var old = before && (before.curves || []).find(function (c) { return c.name === curve.name; });
                box.appendChild(curveChart(curve, old || null));
              });
              section.appendChild(box);
            }
            var table = html('table');
            table.appendChild(row(['metric', 'current', 'unit', 'samples', 'spread', 'baseline', 'change'], true));
            scenario.metrics.forEach(function (metric) {
              var old = before ? before.metrics.find(function (m) { return m.name === metric.name; }) : null;
              table.appendChild(row([metric.name, metric.value, metric.unit, metric.samples, spreadStrip(metric, old || null),
                                     old ? old.value : '-', change(metric, old || null)]));
              var cells = table.lastChild.children;
              cells[1].textContent = format(metric.value);
              if (old) { cells[5].textContent = format(old.value); cells[5].className = 'num'; }
            });
            section.appendChild(table);
            root.appendChild(section);
          });

          document.documentElement.dataset.charts = String(charts);
          document.documentElement.dataset.report = 'rendered';
        })();
        """#
}
