/// The version of the results schema (docs/results-schema.md), stored as the root attribute
/// `schema_version` of every run file and index file. Raised on any change a reader must know of.
public enum ResultsSchema {
    public static let version = 1
}
