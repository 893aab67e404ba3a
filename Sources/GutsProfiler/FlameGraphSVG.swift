/// A self-contained, interactive SVG flamegraph: click a frame to zoom into it, "Search"
/// to highlight frames matching a regular expression, "Reset zoom" to go back. The
/// script is embedded; nothing is fetched.
public enum FlameGraphSVG {
    public struct Options: Sendable {
        public var title: String
        public var width: Int
        public var frameHeight: Int
        /// Frames narrower than this many pixels are left out (as flamegraph.pl does).
        public var minimumFrameWidth: Double
        /// What one unit of count is called in tooltips.
        public var countName: String

        public init(title: String = "Flame Graph", width: Int = 1200, frameHeight: Int = 16,
                    minimumFrameWidth: Double = 0.1, countName: String = "samples") {
            self.title = title
            self.width = width
            self.frameHeight = frameHeight
            self.minimumFrameWidth = minimumFrameWidth
            self.countName = countName
        }
    }

    /// Renders `profile` (frame widths proportional to inclusive samples).
    public static func render(_ profile: Profile, options: Options = Options()) -> String {
        let tree = FlameTree(profile: profile)
        return renderTree(tree, options: options, subtitle: nil) { node in
            (warmColor(for: node.name), "\(node.name) (\(node.value) \(options.countName), \(percent(node.value, of: tree.root.value)))")
        }
    }

    /// Renders a differential flamegraph: frame widths follow `after`; colour shows the
    /// change of each frame's inclusive share from `before` to `after` after normalising
    /// `before` to `after`'s total sample count: red grew, blue shrank, white unchanged.
    public static func renderDifferential(before: Profile, after: Profile, options: Options = Options(title: "Differential Flame Graph")) -> String {
        let tree = FlameTree(profile: after)
        let beforeTotal = before.totalCount
        let scale = beforeTotal > 0 ? Double(after.totalCount) / Double(beforeTotal) : 0
        tree.addBaseline(before, scale: scale)
        let subtitle = "before \(beforeTotal) \(options.countName), after \(after.totalCount); red grew, blue shrank (normalised)"
        return renderTree(tree, options: options, subtitle: subtitle) { node in
            let baseline = node.baseline
            let delta = Double(node.value) - baseline
            let reference = max(Double(node.value), baseline, 1)
            let change = delta / reference
            let sign = delta >= 0 ? "+" : ""
            let title = "\(node.name) (after \(node.value), before \(String(format1: baseline)) normalised, \(sign)\(String(format1: change * 100))%)"
            return (diffColor(change: change), title)
        }
    }

    // MARK: - Layout and drawing

    static func renderTree(_ tree: FlameTree, options: Options, subtitle: String?,
                           describe: (FlameTree.Node) -> (color: String, title: String)) -> String {
        let total = max(tree.root.value, 1)
        let padding = 10.0
        let plotWidth = Double(options.width) - 2 * padding
        let unit = plotWidth / Double(total)
        let minimumUnits = options.minimumFrameWidth / unit
        let frameHeight = Double(options.frameHeight)
        let maxDepth = tree.maxDepth(minimumValue: minimumUnits)
        let top = subtitle == nil ? 3 * frameHeight : 4 * frameHeight
        let height = top + Double(maxDepth + 1) * frameHeight + 2 * frameHeight

        var svg = """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="\(options.width)" height="\(Int(height))" \
        viewBox="0 0 \(options.width) \(Int(height))" data-total="\(total)" data-padding="\(Int(padding))" \
        data-frame-height="\(options.frameHeight)" onload="init(evt)">
        <style type="text/css">
        text { font-family: Verdana, sans-serif; font-size: 12px; fill: rgb(0,0,0); }
        .f { cursor: pointer; }
        .f:hover rect { stroke: black; stroke-width: 0.5; }
        #title { text-anchor: middle; font-size: 17px; }
        .hidden { display: none; }
        .dim rect { opacity: 0.5; }
        </style>
        <script type="text/ecmascript"><![CDATA[\(script)]]></script>
        <rect x="0" y="0" width="100%" height="100%" fill="rgb(248,248,248)"/>
        <text id="title" x="\(options.width / 2)" y="\(Int(frameHeight * 1.5))">\(escape(options.title))</text>

        """
        if let subtitle {
            svg += "<text x=\"\(options.width / 2)\" y=\"\(Int(frameHeight * 2.6))\" style=\"text-anchor:middle\">\(escape(subtitle))</text>\n"
        }
        svg += "<text id=\"unzoom\" x=\"\(Int(padding))\" y=\"\(Int(frameHeight * 1.5))\" class=\"hidden\" style=\"cursor:pointer\">Reset zoom</text>\n"
        svg += "<text id=\"search\" x=\"\(options.width - 110)\" y=\"\(Int(frameHeight * 1.5))\" style=\"cursor:pointer\">Search</text>\n"
        svg += "<text id=\"matched\" x=\"\(options.width - 110)\" y=\"\(Int(height - frameHeight / 2))\"></text>\n"
        svg += "<text id=\"details\" x=\"\(Int(padding))\" y=\"\(Int(height - frameHeight / 2))\"> </text>\n"
        svg += "<g id=\"frames\">\n"

        // Iterative depth-first walk: (node, depth, x offset in units).
        var stack: [(node: FlameTree.Node, depth: Int, x: Int)] = [(tree.root, 0, 0)]
        while let (node, depth, x) = stack.popLast() {
            let (color, title) = describe(node)
            let rectX = padding + Double(x) * unit
            let rectWidth = Double(node.value) * unit
            let y = height - 2 * frameHeight - Double(depth + 1) * frameHeight
            let label = node === tree.root ? "all" : node.name
            svg += "<g class=\"f\" data-x=\"\(x)\" data-w=\"\(node.value)\" data-d=\"\(depth)\">"
            svg += "<title>\(escape(node === tree.root ? "all (\(node.value) \(options.countName), 100%)" : title))</title>"
            svg += "<rect x=\"\(format(rectX))\" y=\"\(format(y))\" width=\"\(format(rectWidth))\" height=\"\(format(frameHeight - 1))\" fill=\"\(node === tree.root ? "rgb(230,230,230)" : color)\" rx=\"2\" ry=\"2\"/>"
            svg += "<text x=\"\(format(rectX + 3))\" y=\"\(format(y + frameHeight - 4.5))\">\(escape(truncate(label, width: rectWidth)))</text>"
            svg += "</g>\n"
            var childX = x
            var children: [(FlameTree.Node, Int, Int)] = []
            for child in node.sortedChildren where Double(child.value) >= minimumUnits && child.value > 0 {
                children.append((child, depth + 1, childX))
                childX += child.value
            }
            stack.append(contentsOf: children.reversed())
        }
        svg += "</g>\n</svg>\n"
        return svg
    }

    /// Text that fits `width` pixels at 12px Verdana (about 7px per character).
    static func truncate(_ name: String, width: Double) -> String {
        let characters = Int((width - 6) / 7)
        guard characters >= 3 else { return "" }
        if name.count <= characters { return name }
        return String(name.prefix(characters - 2)) + ".."
    }

    /// Escapes XML text and attribute content; drops characters XML 1.0 forbids.
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    static func format(_ value: Double) -> String {
        String(format1: value)
    }

    static func percent(_ value: Int, of total: Int) -> String {
        total == 0 ? "0%" : "\(String(format1: Double(value) * 100 / Double(total)))%"
    }

    /// flamegraph.pl-like warm palette, stable per name.
    static func warmColor(for name: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let v1 = Double(hash & 0xFF) / 255
        let v2 = Double((hash >> 8) & 0xFF) / 255
        let v3 = Double((hash >> 16) & 0xFF) / 255
        return "rgb(\(205 + Int(50 * v3)),\(Int(230 * v1)),\(Int(55 * v2)))"
    }

    /// Red for growth, blue for shrinkage, white for none; `change` in -1...1.
    static func diffColor(change: Double) -> String {
        let clamped = max(-1, min(1, change))
        let fade = Int(255 - 200 * abs(clamped))
        return clamped >= 0 ? "rgb(255,\(fade),\(fade))" : "rgb(\(fade),\(fade),255)"
    }

    static let script = """

    var svg, frames, unzoomButton, matchedText, details, total, padding, plotWidth, searching = null;
    function init(evt) {
      svg = document.documentElement;
      frames = document.getElementById("frames").getElementsByTagName("g");
      unzoomButton = document.getElementById("unzoom");
      matchedText = document.getElementById("matched");
      details = document.getElementById("details");
      total = parseFloat(svg.getAttribute("data-total"));
      padding = parseFloat(svg.getAttribute("data-padding"));
      plotWidth = parseFloat(svg.getAttribute("width")) - 2 * padding;
      for (var i = 0; i < frames.length; i++) {
        var g = frames[i];
        g.setAttribute("data-name", frameName(g));
        g.addEventListener("click", function (e) { zoom(this); e.stopPropagation(); });
        g.addEventListener("mouseover", function () { details.textContent = this.getElementsByTagName("title")[0].textContent; });
        g.addEventListener("mouseout", function () { details.textContent = " "; });
      }
      unzoomButton.addEventListener("click", function () { unzoom(); });
      document.getElementById("search").addEventListener("click", function () { search(); });
    }
    function frameName(g) {
      var t = g.getElementsByTagName("title")[0].textContent;
      var i = t.lastIndexOf(" (");
      return i > 0 ? t.substring(0, i) : t;
    }
    function num(g, name) { return parseFloat(g.getAttribute(name)); }
    function fit(g, x, w) {
      var rect = g.getElementsByTagName("rect")[0], text = g.getElementsByTagName("text")[0];
      rect.setAttribute("x", x.toFixed(1));
      rect.setAttribute("width", Math.max(0, w).toFixed(1));
      text.setAttribute("x", (x + 3).toFixed(1));
      var name = num(g, "data-d") == 0 ? "all" : g.getAttribute("data-name");
      var chars = Math.floor((w - 6) / 7);
      text.textContent = chars < 3 ? "" : (name.length <= chars ? name : name.substring(0, chars - 2) + "..");
    }
    function zoom(target) {
      var zx = num(target, "data-x"), zw = num(target, "data-w"), zd = num(target, "data-d");
      var scale = plotWidth / zw;
      unzoomButton.classList.remove("hidden");
      for (var i = 0; i < frames.length; i++) {
        var g = frames[i], x = num(g, "data-x"), w = num(g, "data-w"), d = num(g, "data-d");
        g.classList.remove("hidden"); g.classList.remove("dim");
        if (d < zd && x <= zx && x + w >= zx + zw) {
          g.classList.add("dim"); fit(g, padding, plotWidth);
        } else if (d >= zd && x >= zx && x + w <= zx + zw) {
          fit(g, padding + (x - zx) * scale, w * scale);
        } else {
          g.classList.add("hidden");
        }
      }
    }
    function unzoom() {
      unzoomButton.classList.add("hidden");
      var scale = plotWidth / total;
      for (var i = 0; i < frames.length; i++) {
        var g = frames[i];
        g.classList.remove("hidden"); g.classList.remove("dim");
        fit(g, padding + num(g, "data-x") * scale, num(g, "data-w") * scale);
      }
    }
    function search() {
      if (searching !== null) { clearSearch(); return; }
      var term = prompt("Search for (regular expression):", "");
      if (!term) return;
      var re;
      try { re = new RegExp(term); } catch (e) { alert("Invalid regular expression: " + e.message); return; }
      var matches = [];
      for (var i = 0; i < frames.length; i++) {
        var g = frames[i], rect = g.getElementsByTagName("rect")[0];
        if (num(g, "data-d") > 0 && re.test(g.getAttribute("data-name"))) {
          if (!rect.hasAttribute("data-fill")) rect.setAttribute("data-fill", rect.getAttribute("fill"));
          rect.setAttribute("fill", "rgb(230,0,230)");
          matches.push([num(g, "data-x"), num(g, "data-w")]);
        }
      }
      matches.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
      var covered = 0, end = -1;
      for (var j = 0; j < matches.length; j++) {
        var s = matches[j][0], e = s + matches[j][1];
        if (s >= end) { covered += e - s; end = e; } else if (e > end) { covered += e - end; end = e; }
      }
      searching = term;
      document.getElementById("search").textContent = "Reset search";
      matchedText.textContent = "Matched: " + (100 * covered / total).toFixed(1) + "%";
    }
    function clearSearch() {
      for (var i = 0; i < frames.length; i++) {
        var rect = frames[i].getElementsByTagName("rect")[0];
        if (rect.hasAttribute("data-fill")) { rect.setAttribute("fill", rect.getAttribute("data-fill")); rect.removeAttribute("data-fill"); }
      }
      searching = null;
      document.getElementById("search").textContent = "Search";
      matchedText.textContent = "";
    }

    """
}
