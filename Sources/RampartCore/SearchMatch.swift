/// What people search can find a member by: only the fields a viewer may see. The store
/// indexes the fields a member shows to every member; each result is then checked again
/// against what this viewer may see, so a hidden name, school or skill never finds anyone.
public enum SearchMatch {
    /// The searchable text of a profile, limited to the categories `shown` admits: name
    /// (identity); headline, company, location (position); past companies (experience);
    /// schools (education); skills.
    public static func parts(of profile: Profile, shown: (DataCategory) -> Bool) -> [String] {
        var parts: [String] = []
        if shown(.identity) { parts.append(profile.name) }
        if shown(.position) { parts += [profile.headline, profile.company, profile.location] }
        if shown(.experience) { parts += profile.experience.map(\.company) }
        if shown(.education) { parts += profile.education.map(\.school) }
        if shown(.skills) { parts += profile.skills }
        return parts
    }

    /// Whether `profile` matches `query` on the categories `shown` admits, as the store's
    /// full-text search does: every term a phrase of tokens in order, the last a prefix;
    /// company a prefix, title and location a substring, school a prefix of a school.
    public static func matches(_ query: ProfileQuery, _ profile: Profile, shown: (DataCategory) -> Bool) -> Bool {
        matches(query, profile, shown: shown) { tokens(of: profile, shown: shown) }
    }

    /// As ``matches(_:_:shown:)``, with the profile's tokens from `tokens` (a cache), asked
    /// for only when the query has terms.
    public static func matches(_ query: ProfileQuery, _ profile: Profile, shown: (DataCategory) -> Bool, tokens: () -> [String]) -> Bool {
        if let company = query.company, !(shown(.position) && FilterKey.make(profile.company).hasPrefix(FilterKey.make(company))) { return false }
        if let title = query.title, !(shown(.position) && FilterKey.make(profile.headline).contains(FilterKey.make(title))) { return false }
        if let location = query.location, !(shown(.position) && FilterKey.make(profile.location).contains(FilterKey.make(location))) {
            return false
        }
        if let school = query.school {
            let key = FilterKey.make(school)
            guard shown(.education), profile.education.contains(where: { FilterKey.make($0.school).hasPrefix(key) }) else { return false }
        }
        guard !query.terms.isEmpty else { return true }
        let tokens = tokens()
        return query.terms.allSatisfy { phrase in contains(tokens, phrase) }
    }

    /// What full-text search matches terms against: the tokens of ``parts(of:shown:)``.
    public static func tokens(of profile: Profile, shown: (DataCategory) -> Bool) -> [String] {
        SearchText.tokens(parts(of: profile, shown: shown).joined(separator: " "))
    }

    /// Whether `phrase` occurs in `tokens` in order, its last token as a prefix.
    private static func contains(_ tokens: [String], _ phrase: [String]) -> Bool {
        guard !phrase.isEmpty, tokens.count >= phrase.count else { return phrase.isEmpty }
        for start in 0...(tokens.count - phrase.count) {
            var matched = true
            for (offset, token) in phrase.enumerated() {
                let candidate = tokens[start + offset]
                let last = offset == phrase.count - 1
                if last ? !candidate.hasPrefix(token) : candidate != token {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }
}
