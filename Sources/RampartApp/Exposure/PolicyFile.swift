import Foundation
import RampartCore
import RampartGuard

/// Where the protection policy comes from: `--policy FILE`, else `<data-dir>/policy.json`,
/// which is written from the shipped defaults on first start so operators have a file to
/// edit (changes take effect at the next start).
public enum PolicyFile {
    /// The defaults shipped with this build.
    public static func shippedData() throws -> Data {
        guard let url = Bundle.module.url(forResource: "policy", withExtension: "json", subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    public static func shipped() throws -> AccessPolicy {
        try AccessPolicy.decode(try shippedData())
    }

    /// Loads the policy for a server; returns it and the path it was read from.
    public static func load(explicitPath: String?, dataDirectory: String) throws -> (AccessPolicy, String) {
        let path = explicitPath ?? (dataDirectory as NSString).appendingPathComponent("policy.json")
        if explicitPath == nil, !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(
                atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try shippedData().write(to: URL(fileURLWithPath: path))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RampartError.invalid(.invalidPolicy, "Cannot read the policy file \(path).")
        }
        do {
            return (try AccessPolicy.decode(data), path)
        } catch let error as RampartError {
            throw RampartError.invalid(.invalidPolicy, "\(path): \(error.message)")
        }
    }
}
