import GutsCompression
/// pprof's `profile.proto`, hand-encoded, gzip-compressed as `go tool pprof` expects.
///
/// Sample values are `samples/count` and `cpu/nanoseconds` (`wall/nanoseconds` for a
/// wall-clock profile), bytes for an allocation profile, or the profile's own `sampleTypes`
/// (a heap profile's `alloc_objects`, `alloc_space`, `inuse_objects`, `inuse_space`); each distinct frame address becomes a Location with one Line pointing
/// at its Function. Each sample carries its thread as labels: `thread` (the name, where known)
/// and `thread_id`.
public enum PprofEncoder {
    /// The uncompressed protobuf message.
    public static func encodeProto(_ profile: Profile) -> [UInt8] {
        var strings = StringTable()
        var functions: [String: UInt64] = [:]
        var functionList: [(id: UInt64, name: Int64, systemName: Int64, file: Int64)] = []
        var locations: [LocationKey: UInt64] = [:]
        var locationList: [(id: UInt64, mapping: UInt64, address: UInt64, function: UInt64)] = []
        let mappings = profile.mappings.enumerated().map { (id: UInt64($0.offset + 1), mapping: $0.element) }

        let samplesType = strings.index("samples")
        let countUnit = strings.index("count")
        let cpuType = strings.index(profile.mode.rawValue)
        let nanosUnit = strings.index("nanoseconds")
        let period = profile.periodNanos > 0 ? profile.periodNanos : 1

        // A function is its readable name with its full one (`system_name`, the whole demangled
        // signature), so overloads that read alike stay apart.
        func functionID(_ frame: Profile.Frame) -> UInt64 {
            let key = frame.name + "\u{0}" + frame.systemName
            if let id = functions[key] { return id }
            let id = UInt64(functionList.count + 1)
            functionList.append((id, strings.index(frame.name),
                                 strings.index(frame.systemName.isEmpty ? frame.name : Demangler.demangle(frame.systemName, simplified: false)),
                                 strings.index(frame.module)))
            functions[key] = id
            return id
        }

        func locationID(_ frame: Profile.Frame) -> UInt64 {
            let key = LocationKey(address: frame.address, name: frame.address == 0 ? frame.name : "")
            if let id = locations[key] { return id }
            let id = UInt64(locationList.count + 1)
            let mapping = mappings.first { frame.address >= $0.mapping.start && frame.address < $0.mapping.limit }?.id ?? 0
            locationList.append((id, mapping, UInt64(frame.address), functionID(frame)))
            locations[key] = id
            return id
        }

        var writer = ProtobufWriter()
        let isBytes = profile.valueUnit == .bytes
        let multiValued = !profile.sampleTypes.isEmpty
        let valueTypes = multiValued ? profile.sampleTypes.map { (strings.index($0.type), strings.index($0.unit)) }
            : isBytes ? [(strings.index("space"), strings.index("bytes"))]
            : [(samplesType, countUnit), (cpuType, nanosUnit)]
        func values(_ sample: Profile.Sample) -> [Int64] {
            if multiValued { return profile.sampleTypes.indices.map { Int64($0 < sample.values.count ? sample.values[$0] : 0) } }
            return isBytes ? [Int64(sample.count)] : [Int64(sample.count), Int64(sample.count) * period]
        }
        for (type, unit) in valueTypes {
            writer.message(1) { valueType in
                valueType.int64(1, type)
                valueType.int64(2, unit)
            }
        }
        for sample in profile.samples {
            let sampleValues = values(sample)
            guard sampleValues.contains(where: { $0 > 0 }) else { continue }
            // pprof lists locations leaf first.
            let ids = sample.frames.reversed().map(locationID)
            let labels = sample.threadName.map { [(strings.index("thread"), strings.index($0))] } ?? []
            let threadID = sample.thread != 0 ? strings.index("thread_id") : nil
            writer.message(2) { message in
                message.packedUInt64(1, ids)
                message.packedInt64(2, sampleValues)
                for (key, value) in labels {
                    message.message(3) { label in
                        label.int64(1, key)
                        label.int64(2, value)
                    }
                }
                if let threadID {
                    message.message(3) { label in
                        label.int64(1, threadID)
                        label.int64(3, Int64(sample.thread))
                    }
                }
            }
        }
        for (id, mapping) in mappings {
            let file = strings.index(mapping.path)
            writer.message(3) { message in
                message.uint64(1, id)
                message.uint64(2, UInt64(mapping.start))
                message.uint64(3, UInt64(mapping.limit))
                message.uint64(4, UInt64(mapping.fileOffset))
                message.int64(5, file)
                message.bool(7, true)  // has_functions: already symbolized
            }
        }
        for location in locationList {
            writer.message(4) { message in
                message.uint64(1, location.id)
                message.uint64(2, location.mapping)
                message.uint64(3, location.address)
                message.message(4) { line in
                    line.uint64(1, location.function)
                }
            }
        }
        for function in functionList {
            writer.message(5) { message in
                message.uint64(1, function.id)
                message.int64(2, function.name)
                message.int64(3, function.systemName)
                message.int64(4, function.file)
            }
        }
        let comment = profile.statistics.map { strings.index("guts profile: " + $0.summary) }
        for string in strings.strings {
            writer.string(6, string)
        }
        writer.int64(9, profile.startNanos)
        writer.int64(10, profile.durationNanos)
        // The default: the last column (a heap profile's inuse_space, as Go's), or CPU time.
        let periodType = valueTypes[valueTypes.count - 1]
        writer.message(11) { valueType in
            valueType.int64(1, periodType.0)
            valueType.int64(2, periodType.1)
        }
        writer.int64(12, isBytes || multiValued ? 1 : period)
        if let comment { writer.packedInt64(13, [comment]) }
        writer.int64(14, periodType.0)
        return writer.bytes
    }

    /// The gzip-compressed protobuf, ready to write to `profile.pb.gz`.
    public static func encode(_ profile: Profile) throws(ProfilerError) -> [UInt8] {
        do {
            return try Zlib.compress(encodeProto(profile), format: .gzip)
        } catch {
            throw .compression("\(error)")
        }
    }

    private struct LocationKey: Hashable {
        var address: UInt
        var name: String
    }

    /// pprof's string table: index 0 is the empty string.
    private struct StringTable {
        var strings: [String] = [""]
        var indexes: [String: Int64] = ["": 0]

        mutating func index(_ string: String) -> Int64 {
            if let index = indexes[string] { return index }
            strings.append(string)
            indexes[string] = Int64(strings.count - 1)
            return Int64(strings.count - 1)
        }
    }
}
