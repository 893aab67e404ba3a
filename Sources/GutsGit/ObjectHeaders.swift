/// The `key value` header block shared by commits and tags.
///
/// A header's value may span lines: each continuation line starts with one space,
/// which is not part of the value (this is how `gpgsig` and `mergetag` are stored).
/// The block ends at the first empty line; what follows is the message.
struct ObjectHeaders {
    struct Field {
        var key: String
        var value: [UInt8]
        /// Offset in the body where the field's line starts, for error messages.
        var offset: Int
    }

    var fields: [Field] = []
    var message: [UInt8] = []
    /// False when the body ended inside the header block, with no blank line.
    var hasMessage = true

    static func parse(_ body: [UInt8], type: ObjectType) throws -> ObjectHeaders {
        var result = ObjectHeaders()
        var position = 0
        let newline = UInt8(ascii: "\n")
        while true {
            guard position < body.count else {
                result.hasMessage = false
                return result
            }
            if body[position] == newline {
                result.message = Array(body[(position + 1)...])
                return result
            }
            guard let lineEnd = body[position...].firstIndex(of: newline) else {
                throw GitObjectError(type: type, offset: position, reason: "header line without newline")
            }
            if body[position] == UInt8(ascii: " ") {
                guard !result.fields.isEmpty else {
                    throw GitObjectError(type: type, offset: position, reason: "continuation line before any header")
                }
                result.fields[result.fields.count - 1].value.append(newline)
                result.fields[result.fields.count - 1].value.append(contentsOf: body[(position + 1)..<lineEnd])
            } else {
                let line = body[position..<lineEnd]
                let space = line.firstIndex(of: UInt8(ascii: " ")) ?? lineEnd
                let key = String(decoding: body[position..<space], as: UTF8.self)
                let value = space < lineEnd ? Array(body[(space + 1)..<lineEnd]) : []
                result.fields.append(Field(key: key, value: value, offset: position))
            }
            position = lineEnd + 1
        }
    }

    /// Appends `key value\n`, turning newlines inside `value` into continuation lines.
    static func append(key: String, value: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: key.utf8)
        out.append(UInt8(ascii: " "))
        for byte in value {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out.append(UInt8(ascii: " ")) }
        }
        out.append(UInt8(ascii: "\n"))
    }
}

/// A header the object model does not interpret (`encoding`, `gpgsig`, `mergetag`, ...),
/// kept verbatim so the object re-serializes byte for byte.
public struct ExtraHeader: Sendable, Hashable {
    public var key: String
    /// The value with continuation-line prefixes removed; may contain newlines.
    public var value: [UInt8]

    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
