/// The query parameters of an admin request, read with the typing and the errors every
/// operation shares: a value that does not parse is a usage error (the node answers 400,
/// the CLI exits 64), never a silent default.
public struct AdminQuery: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public func string(_ key: String) -> String? {
        values[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func required(_ key: String) throws -> String {
        guard let value = string(key) else { throw AdminError.usage("\(key) is required") }
        return value
    }

    public func double(_ key: String) throws -> Double? {
        try string(key).map { text in
            guard let value = Double(text), value >= 0, value.isFinite else { throw AdminError.usage("bad \(key) '\(text)'") }
            return value
        }
    }

    public func int(_ key: String) throws -> Int? {
        try string(key).map { text in
            guard let value = Int(text), value >= 0 else { throw AdminError.usage("bad \(key) '\(text)'") }
            return value
        }
    }

    /// A comma-separated value as a list (empty when absent).
    public func list(_ key: String) -> [String] {
        (values[key] ?? "").split(separator: ",").map(String.init)
    }

    public func flag(_ key: String) -> Bool {
        values[key] == "1"
    }
}

extension Dictionary where Key == String, Value == String {
    /// Sets `key` to `value`'s text when there is a value.
    mutating func set(_ key: String, _ value: (some LosslessStringConvertible)?) {
        if let value { self[key] = String(value) }
    }

    /// Sets `key` to the comma-joined list when it is not empty.
    mutating func set(_ key: String, list: [String]) {
        if !list.isEmpty { self[key] = list.joined(separator: ",") }
    }
}
