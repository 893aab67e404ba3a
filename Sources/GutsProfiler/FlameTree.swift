/// The merged call tree behind a flamegraph: one node per distinct root-to-frame path,
/// valued by inclusive samples.
final class FlameTree {
    final class Node {
        let name: String
        var value = 0
        /// Normalised inclusive samples of the baseline (differential graphs).
        var baseline = 0.0
        var children: [String: Node] = [:]
        var childOrder: [String] = []

        init(name: String) {
            self.name = name
        }

        func child(named name: String) -> Node {
            if let existing = children[name] { return existing }
            let node = Node(name: name)
            children[name] = node
            childOrder.append(name)
            return node
        }

        /// Children ordered by name, as flamegraph.pl does (so graphs compare well).
        var sortedChildren: [Node] {
            childOrder.sorted().map { children[$0]! }
        }
    }

    let root = Node(name: "all")

    init(profile: Profile) {
        for sample in profile.samples where sample.count > 0 {
            root.value += sample.count
            var node = root
            for frame in sample.frames {
                node = node.child(named: frame.name)
                node.value += sample.count
            }
        }
    }

    /// Adds `profile` as the baseline, scaled by `scale`, to nodes that exist in the tree.
    func addBaseline(_ profile: Profile, scale: Double) {
        for sample in profile.samples where sample.count > 0 {
            let weight = Double(sample.count) * scale
            root.baseline += weight
            var node = root
            for frame in sample.frames {
                guard let next = node.children[frame.name] else { break }
                node = next
                node.baseline += weight
            }
        }
    }

    /// Deepest level that has a node of at least `minimumValue`.
    func maxDepth(minimumValue: Double) -> Int {
        var deepest = 0
        var stack: [(Node, Int)] = [(root, 0)]
        while let (node, depth) = stack.popLast() {
            deepest = max(deepest, depth)
            for child in node.children.values where Double(child.value) >= minimumValue && child.value > 0 {
                stack.append((child, depth + 1))
            }
        }
        return deepest
    }
}
