import Foundation

/// The schema, as versioned migrations in SQL that SQLite and PostgreSQL both accept.
///
/// Times are stored as integer milliseconds since 1970 (UTC), IDs as random 63-bit
/// integers, hashes as lowercase hex. A migration is never edited once shipped: add one.
public enum Migrations {
    public struct Migration: Sendable {
        public let identifier: String
        /// Portable statements, run on every database.
        public let statements: [String]
        /// Statements only one engine needs (full-text search differs), run after the others.
        public let sqlite: [String]
        public let postgres: [String]

        init(identifier: String, statements: [String], sqlite: [String] = [], postgres: [String] = []) {
            self.identifier = identifier
            self.statements = statements
            self.sqlite = sqlite
            self.postgres = postgres
        }

        public func statements(for dialect: SQLDialect) -> [String] {
            statements + (dialect == .sqlite ? sqlite : postgres)
        }

        /// Whether it rebuilds a table on SQLite (a new one filled from the old, which is
        /// dropped): foreign keys must be off meanwhile and the whole database checked after,
        /// which on a million members takes about a minute. Any other migration runs with
        /// foreign keys checked as it goes and is quick on any database.
        public var rebuildsTables: Bool {
            statements(for: .sqlite).contains { $0.range(of: "DROP TABLE", options: .caseInsensitive) != nil }
        }
    }

    public static let all: [Migration] = [
        Migration(identifier: "v1-accounts", statements: [
            """
            CREATE TABLE agreements (
                version BIGINT PRIMARY KEY,
                text TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                published_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE accounts (
                id BIGINT PRIMARY KEY,
                phone TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                totp_secret TEXT,
                two_factor_enabled BOOLEAN NOT NULL DEFAULT FALSE,
                totp_last_step BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE agreement_acceptances (
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                version BIGINT NOT NULL REFERENCES agreements(version),
                sha256 TEXT NOT NULL,
                accepted_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT,
                PRIMARY KEY (account_id, version)
            )
            """,
            """
            CREATE TABLE verification_challenges (
                id BIGINT PRIMARY KEY,
                purpose TEXT NOT NULL,
                phone TEXT NOT NULL,
                account_id BIGINT,
                device_hash TEXT,
                code_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                last_sent_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                consumed_at BIGINT,
                session_kind TEXT NOT NULL
            )
            """,
            "CREATE INDEX verification_challenges_phone ON verification_challenges(phone, created_at)",
            """
            CREATE TABLE known_devices (
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                device_hash TEXT NOT NULL,
                first_seen_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT,
                PRIMARY KEY (account_id, device_hash)
            )
            """,
            """
            CREATE TABLE sessions (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                token_hash TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                device_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX sessions_account ON sessions(account_id, created_at)",
        ]),
        Migration(
            identifier: "v2-network",
            statements: [
                "ALTER TABLE accounts ADD COLUMN tier TEXT NOT NULL DEFAULT 'free'",
                "ALTER TABLE accounts ADD COLUMN tier_expires_at BIGINT",
                """
                CREATE TABLE profiles (
                    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
                    name TEXT NOT NULL,
                    photo_url TEXT,
                    headline TEXT NOT NULL,
                    company TEXT NOT NULL,
                    location TEXT NOT NULL,
                    about TEXT NOT NULL,
                    experience TEXT NOT NULL,
                    education TEXT NOT NULL,
                    skills TEXT NOT NULL,
                    email TEXT,
                    contact_phone TEXT,
                    privacy TEXT NOT NULL,
                    public_card BOOLEAN NOT NULL,
                    company_key TEXT NOT NULL,
                    headline_key TEXT NOT NULL,
                    location_key TEXT NOT NULL,
                    schools_key TEXT NOT NULL,
                    search_text TEXT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX profiles_company ON profiles(company_key)",
                "CREATE INDEX profiles_location ON profiles(location_key)",
                """
                CREATE TABLE connections (
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    other_id BIGINT NOT NULL REFERENCES accounts(id),
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (account_id, other_id)
                )
                """,
                """
                CREATE TABLE invitations (
                    id BIGINT PRIMARY KEY,
                    sender_id BIGINT NOT NULL REFERENCES accounts(id),
                    recipient_id BIGINT NOT NULL REFERENCES accounts(id),
                    message TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    responded_at BIGINT
                )
                """,
                "CREATE INDEX invitations_recipient ON invitations(recipient_id, status)",
                "CREATE INDEX invitations_sender ON invitations(sender_id, status)",
                "CREATE UNIQUE INDEX invitations_one_pending ON invitations(sender_id, recipient_id) WHERE status = 'pending'",
                """
                CREATE TABLE purchases (
                    id BIGINT PRIMARY KEY,
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    tier TEXT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    instrument_fingerprint TEXT NOT NULL,
                    provider_reference TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX purchases_account ON purchases(account_id, created_at)",
                "CREATE INDEX purchases_instrument ON purchases(instrument_fingerprint)",
                """
                CREATE TABLE access_events (
                    id BIGINT PRIMARY KEY,
                    viewer_id BIGINT,
                    target_id BIGINT,
                    kind TEXT NOT NULL,
                    categories TEXT NOT NULL,
                    subjects TEXT NOT NULL,
                    occurred_at BIGINT NOT NULL,
                    ip TEXT,
                    user_agent TEXT,
                    device_hash TEXT,
                    session_id BIGINT
                )
                """,
                "CREATE INDEX access_events_viewer ON access_events(viewer_id, occurred_at)",
            ],
            sqlite: [
                // A full-text index of its own, rowid = account ID; unicode61 splits words,
                // SearchText has already put every CJK character apart.
                "CREATE VIRTUAL TABLE profile_search USING fts5(search_text, tokenize = 'unicode61 remove_diacritics 2')"
            ],
            postgres: [
                "ALTER TABLE profiles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
                "CREATE INDEX profiles_search ON profiles USING GIN (search_vector)",
            ]),
        Migration(identifier: "v3-exposure", statements: [
            "ALTER TABLE access_events ADD COLUMN budget_holder TEXT",
            "ALTER TABLE access_events ADD COLUMN budget_key TEXT",
            "ALTER TABLE access_events ADD COLUMN budget_cost DOUBLE PRECISION",
            "ALTER TABLE access_events ADD COLUMN budget_day DOUBLE PRECISION",
            "ALTER TABLE access_events ADD COLUMN budget_month DOUBLE PRECISION",
            "CREATE INDEX access_events_time ON access_events(occurred_at)",
        ]),
        Migration(identifier: "v4-misuse-signals", statements: [
            """
            CREATE TABLE misuse_signals (
                id BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                account_id BIGINT,
                session_id BIGINT,
                related_account_id BIGINT,
                detail TEXT NOT NULL,
                occurred_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT
            )
            """,
            "CREATE INDEX misuse_signals_account ON misuse_signals(account_id, occurred_at)",
            "CREATE INDEX misuse_signals_related ON misuse_signals(related_account_id)",
        ]),
        Migration(identifier: "v5-evidence-ledger", statements: [
            """
            CREATE TABLE ledger_entries (
                seq BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                account_id BIGINT,
                recorded_at BIGINT NOT NULL,
                entry TEXT NOT NULL,
                leaf_hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX ledger_entries_account ON ledger_entries(account_id, seq)",
            """
            CREATE TABLE ledger_nodes (
                level INTEGER NOT NULL,
                idx BIGINT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (level, idx)
            )
            """,
            """
            CREATE TABLE ledger_tree_heads (
                size BIGINT PRIMARY KEY,
                root TEXT NOT NULL,
                timestamp_ms BIGINT NOT NULL,
                signature TEXT NOT NULL
            )
            """,
        ]),
        Migration(identifier: "v6-enforcement", statements: [
            """
            CREATE TABLE suspensions (
                account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
                since BIGINT NOT NULL,
                reason TEXT NOT NULL,
                actor TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE enforcement_actions (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL,
                action TEXT NOT NULL,
                risk DOUBLE PRECISION,
                reason TEXT NOT NULL,
                actor TEXT NOT NULL,
                at BIGINT NOT NULL,
                ledgered BOOLEAN NOT NULL
            )
            """,
            "CREATE INDEX enforcement_actions_account ON enforcement_actions(account_id, at)",
            "CREATE INDEX enforcement_actions_at ON enforcement_actions(at)",
            "CREATE INDEX enforcement_actions_unledgered ON enforcement_actions(ledgered, at)",
            """
            CREATE TABLE appeals (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                text TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                status TEXT NOT NULL,
                resolved_at BIGINT,
                note TEXT
            )
            """,
            "CREATE INDEX appeals_status ON appeals(status, created_at)",
        ]),
        Migration(identifier: "v7-identity", statements: [
            """
            CREATE TABLE identity_links (
                id BIGINT PRIMARY KEY,
                first_account BIGINT NOT NULL,
                second_account BIGINT NOT NULL,
                kind TEXT NOT NULL,
                detail TEXT NOT NULL,
                at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX identity_links_first ON identity_links(first_account)",
            "CREATE INDEX identity_links_second ON identity_links(second_account)",
            "CREATE INDEX identity_links_at ON identity_links(at, id)",
            """
            CREATE TABLE identity_separations (
                first_account BIGINT NOT NULL,
                second_account BIGINT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                at BIGINT NOT NULL,
                PRIMARY KEY (first_account, second_account)
            )
            """,
            "CREATE INDEX known_devices_device ON known_devices(device_hash)",
        ]),
        // The ledger's hot path becomes append-only: entries and hashes as bytes (not base64
        // and hex), the sequence number as SQLite's row id, nodes in a table clustered on
        // their key, and no index by account (each access entry would dirty a random page of
        // it, halving the append rate; `ledger export --account` scans instead).
        Migration(
            identifier: "v8-ledger-bytes", statements: [],
            sqlite: [
                """
                CREATE TABLE ledger_entries_v8 (
                    seq INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    account_id INTEGER,
                    recorded_at INTEGER NOT NULL,
                    entry BLOB NOT NULL,
                    leaf_hash BLOB NOT NULL
                )
                """,
                """
                INSERT INTO ledger_entries_v8 (seq, kind, account_id, recorded_at, entry, leaf_hash)
                SELECT seq, kind, account_id, recorded_at, rampart_base64_bytes(entry), rampart_hex_bytes(leaf_hash) FROM ledger_entries
                """,
                "DROP TABLE ledger_entries",
                "ALTER TABLE ledger_entries_v8 RENAME TO ledger_entries",
                """
                CREATE TABLE ledger_nodes_v8 (
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID
                """,
                "INSERT INTO ledger_nodes_v8 (level, idx, hash) SELECT level, idx, rampart_hex_bytes(hash) FROM ledger_nodes",
                "DROP TABLE ledger_nodes",
                "ALTER TABLE ledger_nodes_v8 RENAME TO ledger_nodes",
            ],
            postgres: [
                """
                ALTER TABLE ledger_entries
                    ALTER COLUMN entry TYPE BYTEA USING decode(entry, 'base64'),
                    ALTER COLUMN leaf_hash TYPE BYTEA USING decode(leaf_hash, 'hex')
                """,
                "DROP INDEX ledger_entries_account",
                "ALTER TABLE ledger_nodes ALTER COLUMN hash TYPE BYTEA USING decode(hash, 'hex')",
            ]),
        // Merkle nodes clustered by the last entry they cover, then level: in the order they
        // are completed, so a batch's nodes land on the table's last page (keyed by (level,
        // index), each level had a page of its own to dirty: half the cost of a commit).
        // A node (level, index) covers entries index·2^level ..< (index+1)·2^level.
        Migration(
            identifier: "v9-ledger-nodes-in-completion-order", statements: [],
            sqlite: [
                """
                CREATE TABLE ledger_nodes_v9 (
                    last_seq INTEGER NOT NULL,
                    level INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (last_seq, level)
                ) WITHOUT ROWID
                """,
                "INSERT INTO ledger_nodes_v9 (last_seq, level, hash) SELECT ((idx + 1) << level) - 1, level, hash FROM ledger_nodes",
                "DROP TABLE ledger_nodes",
                "ALTER TABLE ledger_nodes_v9 RENAME TO ledger_nodes",
            ],
            postgres: [
                """
                CREATE TABLE ledger_nodes_v9 (
                    last_seq BIGINT NOT NULL,
                    level INTEGER NOT NULL,
                    hash BYTEA NOT NULL,
                    PRIMARY KEY (last_seq, level)
                )
                """,
                "INSERT INTO ledger_nodes_v9 (last_seq, level, hash) SELECT ((idx + 1) << level) - 1, level, hash FROM ledger_nodes",
                "DROP TABLE ledger_nodes",
                "ALTER TABLE ledger_nodes_v9 RENAME TO ledger_nodes",
            ]),
        // Access events without a unique index on their random 64-bit IDs (nothing looks an
        // event up by ID): each event landed on a random page of that index, so once the
        // table outgrew the cache every recorded view dirtied a page of its own — recording
        // slowed by half as the table grew. Events are now appended in arrival order.
        Migration(
            identifier: "v10-access-events-appended", statements: [],
            sqlite: [
                """
                CREATE TABLE access_events_v10 (
                    id BIGINT NOT NULL,
                    viewer_id BIGINT,
                    target_id BIGINT,
                    kind TEXT NOT NULL,
                    categories TEXT NOT NULL,
                    subjects TEXT NOT NULL,
                    occurred_at BIGINT NOT NULL,
                    ip TEXT,
                    user_agent TEXT,
                    device_hash TEXT,
                    session_id BIGINT,
                    budget_holder TEXT,
                    budget_key TEXT,
                    budget_cost DOUBLE PRECISION,
                    budget_day DOUBLE PRECISION,
                    budget_month DOUBLE PRECISION
                )
                """,
                """
                INSERT INTO access_events_v10 (
                    id, viewer_id, target_id, kind, categories, subjects, occurred_at, ip, user_agent, device_hash, session_id,
                    budget_holder, budget_key, budget_cost, budget_day, budget_month)
                SELECT
                    id, viewer_id, target_id, kind, categories, subjects, occurred_at, ip, user_agent, device_hash, session_id,
                    budget_holder, budget_key, budget_cost, budget_day, budget_month
                FROM access_events ORDER BY occurred_at
                """,
                "DROP TABLE access_events",
                "ALTER TABLE access_events_v10 RENAME TO access_events",
                "CREATE INDEX access_events_viewer ON access_events(viewer_id, occurred_at)",
                "CREATE INDEX access_events_time ON access_events(occurred_at)",
            ],
            postgres: [
                "ALTER TABLE access_events DROP CONSTRAINT access_events_pkey",
            ]),
        Migration(identifier: "v11-operators", statements: [
            """
            CREATE TABLE operators (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                totp_secret TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_totp_step BIGINT NOT NULL
            )
            """
        ]),
        // Honey profiles: synthetic members in a table of their own (no account, no search
        // entry), so no count, search or login can ever meet one by accident.
        Migration(identifier: "v12-honey-profiles", statements: [
            """
            CREATE TABLE honey_profiles (
                account_id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                photo_url TEXT,
                headline TEXT NOT NULL,
                company TEXT NOT NULL,
                location TEXT NOT NULL,
                about TEXT NOT NULL,
                experience TEXT NOT NULL,
                education TEXT NOT NULL,
                skills TEXT NOT NULL,
                email TEXT,
                contact_phone TEXT,
                privacy TEXT NOT NULL,
                public_card BOOLEAN NOT NULL,
                company_key TEXT NOT NULL,
                headline_key TEXT NOT NULL,
                location_key TEXT NOT NULL,
                schools_key TEXT NOT NULL,
                search_text TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                minted_at BIGINT NOT NULL,
                assigned_to BIGINT,
                assigned_at BIGINT
            )
            """,
            "CREATE INDEX honey_profiles_assigned ON honey_profiles(assigned_to, minted_at)",
        ]),
        // Several instances on one database: each access event carries the ledger entry it
        // is (its place in the one serial log) and the instance that served it, so every
        // instance can replay the budget charges the others made, in commit order.
        Migration(identifier: "v13-access-event-sequence", statements: [
            "ALTER TABLE access_events ADD COLUMN ledger_seq BIGINT",
            "ALTER TABLE access_events ADD COLUMN instance TEXT",
            "CREATE INDEX access_events_ledger_seq ON access_events(ledger_seq)",
        ]),
        // The change feed several instances follow to keep their read models level
        // (SQLStore+ChangeFeed.swift); written on PostgreSQL only.
        Migration(identifier: "v14-store-changes", statements: [
            """
            CREATE TABLE store_changes (
                seq BIGINT PRIMARY KEY,
                kind TEXT NOT NULL,
                first BIGINT NOT NULL,
                second BIGINT,
                instance TEXT NOT NULL,
                at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX store_changes_at ON store_changes(at)",
        ]),
        // The instances serving one database, each with the address the others forward
        // its accounts' requests to, and when it last said it was alive.
        Migration(identifier: "v15-instances", statements: [
            """
            CREATE TABLE instances (
                name TEXT PRIMARY KEY,
                address TEXT NOT NULL,
                heartbeat_at BIGINT NOT NULL
            )
            """
        ]),
        // Which instance owns each account's Guard state: the first one its requests
        // reached, until that one is gone.
        Migration(identifier: "v16-account-owners", statements: [
            """
            CREATE TABLE account_owners (
                account_id BIGINT PRIMARY KEY,
                instance TEXT NOT NULL,
                since BIGINT NOT NULL
            )
            """
        ]),
        // What each instance's detection engine saw on the keys no instance owns alone (IP
        // address, subnet, cluster), a batch every half second, for the others to count.
        Migration(
            identifier: "v17-peer-observations", statements: [],
            sqlite: [
                "CREATE TABLE peer_observations (seq INTEGER PRIMARY KEY, instance TEXT NOT NULL, at INTEGER NOT NULL, batch BLOB NOT NULL)",
                "CREATE INDEX peer_observations_at ON peer_observations(at)",
            ],
            postgres: [
                "CREATE TABLE peer_observations (seq BIGINT PRIMARY KEY, instance TEXT NOT NULL, at BIGINT NOT NULL, batch BYTEA NOT NULL)",
                "CREATE INDEX peer_observations_at ON peer_observations(at)",
            ]),
        // The ledger's inbox: instances without the ledger's duties hand their entries (and
        // the access events they record, in the columns of access_events) to the one with
        // them, which numbers them into the ledger and takes them out in one transaction.
        Migration(
            identifier: "v18-ledger-inbox", statements: [],
            sqlite: [
                """
                CREATE TABLE ledger_inbox (
                    inbox_id INTEGER PRIMARY KEY, entry_kind TEXT NOT NULL, entry_account BIGINT, entry_at BIGINT NOT NULL, entry BLOB NOT NULL,
                    id BIGINT, viewer_id BIGINT, target_id BIGINT, kind TEXT, categories TEXT, subjects TEXT, occurred_at BIGINT, ip TEXT, user_agent TEXT,
                    device_hash TEXT, session_id BIGINT, budget_holder TEXT, budget_key TEXT, budget_cost DOUBLE PRECISION, budget_day DOUBLE PRECISION,
                    budget_month DOUBLE PRECISION, ledger_seq BIGINT, instance TEXT
                )
                """
            ],
            postgres: [
                """
                CREATE TABLE ledger_inbox (
                    inbox_id BIGSERIAL PRIMARY KEY, entry_kind TEXT NOT NULL, entry_account BIGINT, entry_at BIGINT NOT NULL, entry BYTEA NOT NULL,
                    id BIGINT, viewer_id BIGINT, target_id BIGINT, kind TEXT, categories TEXT, subjects TEXT, occurred_at BIGINT, ip TEXT, user_agent TEXT,
                    device_hash TEXT, session_id BIGINT, budget_holder TEXT, budget_key TEXT, budget_cost DOUBLE PRECISION, budget_day DOUBLE PRECISION,
                    budget_month DOUBLE PRECISION, ledger_seq BIGINT, instance TEXT
                )
                """
            ]),
        // Invitations members sent to honey profiles: answered as any invitation is (a honey
        // profile that refused them would give itself away), kept apart from members' (it is
        // no account), never accepted.
        Migration(identifier: "v19-honey-invitations", statements: [
            """
            CREATE TABLE honey_invitations (
                id BIGINT PRIMARY KEY,
                sender_id BIGINT NOT NULL REFERENCES accounts(id),
                recipient_id BIGINT NOT NULL REFERENCES honey_profiles(account_id),
                message TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                responded_at BIGINT
            )
            """,
            "CREATE INDEX honey_invitations_sender ON honey_invitations(sender_id, status)",
        ]),
        // Each account's detection evidence as its owning instance last saved it, for the
        // instance that owns it next (one leaving, or gone).
        Migration(
            identifier: "v20-account-standings", statements: [],
            sqlite: ["CREATE TABLE account_standings (account_id BIGINT PRIMARY KEY, standing BLOB NOT NULL, saved_at BIGINT NOT NULL)"],
            postgres: ["CREATE TABLE account_standings (account_id BIGINT PRIMARY KEY, standing BYTEA NOT NULL, saved_at BIGINT NOT NULL)"]),
        // The shared honey code: honey profiles with a bias are its positions (never given to
        // one account), and each position offered to an account is kept with whether it was
        // shown: what a copy is scored against.
        Migration(identifier: "v21-honey-code", statements: [
            "ALTER TABLE honey_profiles ADD COLUMN code_bias DOUBLE PRECISION",
            """
            CREATE TABLE honey_code_offers (
                account_id BIGINT NOT NULL,
                honey_id BIGINT NOT NULL REFERENCES honey_profiles(account_id),
                shown BOOLEAN NOT NULL,
                offered_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, honey_id)
            )
            """,
        ]),
    ]
}

extension Date {
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
