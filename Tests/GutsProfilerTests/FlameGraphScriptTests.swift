import Foundation
import Testing
@testable import GutsProfiler

let nodeExecutable: String? = ["/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs the flamegraph's embedded script against a minimal fake DOM in Node.js:
/// click-to-zoom, search and reset must work.
struct FlameGraphScriptTests {
    @Test(.enabled(if: nodeExecutable != nil, "node is not installed: skipping the flamegraph script check"))
    func zoomAndSearchWork() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guts-flamegraph-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let svgFile = directory.appendingPathComponent("graph.svg")
        let harnessFile = directory.appendingPathComponent("harness.js")
        try Data(FlameGraphSVG.render(sampleProfile()).utf8).write(to: svgFile)
        try Data(Self.harness.utf8).write(to: harnessFile)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: nodeExecutable!)
        process.arguments = [harnessFile.path, svgFile.path, "hot"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        // all, main, run, hot, memcpy: zooming into `hot` leaves all, main, run (dimmed) and hot.
        #expect(lines == [
            "frames 5",
            "after zoom visible 4 target width 1180.0 unzoom hidden false",
            "search Matched: 70.0% Reset search",
            "after unzoom visible 5 root width 1180.0",
        ])
    }

    static let harness = #"""
const fs = require('fs');
const svgText = fs.readFileSync(process.argv[2], 'utf8');
const js = svgText.match(/<!\[CDATA\[([\s\S]*?)\]\]>/)[1];
function el(tag, attrs, text) {
  const e = { tag, attrs: Object.assign({}, attrs), children: [], textContent: text || '', listeners: {},
    classes: new Set((attrs.class || '').split(' ').filter(Boolean)) };
  e.getAttribute = n => e.attrs[n] === undefined ? null : String(e.attrs[n]);
  e.setAttribute = (n, v) => { e.attrs[n] = String(v); };
  e.hasAttribute = n => e.attrs[n] !== undefined;
  e.removeAttribute = n => { delete e.attrs[n]; };
  e.classList = { add: c => e.classes.add(c), remove: c => e.classes.delete(c), contains: c => e.classes.has(c) };
  e.getElementsByTagName = t => e.children.filter(c => c.tag === t);
  e.addEventListener = (n, f) => { e.listeners[n] = f; };
  return e;
}
function attrs(s) { const o = {}; s.replace(/([\w-]+)="([^"]*)"/g, (_, k, v) => { o[k] = v; }); return o; }
const rootAttrs = attrs(svgText.match(/<svg ([^>]*)>/)[1]);
const svgRoot = el("svg", rootAttrs);
const framesEl = el("g", {});
for (const m of svgText.matchAll(/<g class="f" ([^>]*)><title>([^<]*)<\/title><rect ([^>]*)\/><text ([^>]*)>([^<]*)<\/text><\/g>/g)) {
  const g = el('g', Object.assign(attrs(m[1]), { class: 'f' }));
  g.children.push(el('title', {}, m[2].replace(/&lt;/g,'<').replace(/&gt;/g,'>').replace(/&quot;/g,'"').replace(/&apos;/g,"'").replace(/&amp;/g,'&')));
  g.children.push(el('rect', attrs(m[3])));
  g.children.push(el('text', attrs(m[4]), m[5]));
  framesEl.children.push(g);
}
const ids = { frames: framesEl, unzoom: el('text', { class: 'hidden' }), matched: el('text', {}), details: el('text', {}), search: el('text', {}, 'Search') };
global.document = { documentElement: svgRoot, getElementById: id => ids[id] };
let promptAnswer = null;
global.prompt = () => promptAnswer; global.alert = m => console.log('alert', m);
eval(js + '\n;global.__fg = { init, zoom, unzoom, search };');
__fg.init({});
const gs = framesEl.children;
console.log('frames', gs.length);
const target = gs.find(g => g.getAttribute('data-name').includes(process.argv[3]));
target.listeners.click.call(target, { stopPropagation() {} });
const visible = gs.filter(g => !g.classes.has('hidden'));
console.log('after zoom visible', visible.length, 'target width', target.children[1].attrs.width, 'unzoom hidden', ids.unzoom.classes.has('hidden'));
promptAnswer = process.argv[3];
ids.search.listeners.click();
console.log('search', ids.matched.textContent, ids.search.textContent);
ids.search.listeners.click();
ids.unzoom.listeners.click();
console.log('after unzoom visible', gs.filter(g => !g.classes.has('hidden')).length, 'root width', gs[0].children[1].attrs.width);
"""#
}
