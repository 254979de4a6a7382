import RampartCore

/// The refusals of the response ladder, as members and clients see them.
extension RampartError {
    static let challengeRequired = RampartError(
        .forbidden, code: .challengeRequired,
        message: "Please confirm it is you before going on: ask for a code by SMS (POST /api/v1/challenge) and enter it (POST /api/v1/challenge/verify).")

    static func suspended(reason: String?) -> RampartError {
        RampartError(
            .forbidden, code: .accountSuspended,
            message: "This account is suspended for automated collection of member data, which the Service Agreement forbids."
                + (reason.map { " \($0)" } ?? "") + " If you think this is wrong, you can appeal.")
    }
}
