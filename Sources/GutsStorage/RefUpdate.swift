import GutsGit

/// One compare-and-swap in a `RefStore.transaction`.
public struct RefUpdate: Sendable, Equatable {
    public var name: String
    /// The value the ref must have now; nil or `.zero` means it must not exist.
    public var expected: ObjectID?
    /// The value to set; nil or `.zero` deletes the ref.
    public var new: ObjectID?

    public init(name: String, expected: ObjectID?, new: ObjectID?) {
        self.name = name
        self.expected = expected
        self.new = new
    }
}
