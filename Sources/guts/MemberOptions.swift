import ArgumentParser

/// The option of the per-node commands (`cache-stats`, `compact`, `fsck`) that runs them
/// on every member of a cluster.
struct MemberOptions: ParsableArguments {
    @Flag(name: .customLong("all-members"), help: "In a cluster: ask the node (--node, or the one holding --data-dir) for the live members and run on each, reporting per node.")
    var allMembers = false
}
