package io.shelfstream.connectors.lookup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One catalog row as read by a {@link JdbcEnrichmentFunction}: the selected columns under their field names (see
 * {@link CatalogTable}), plus the row's id.
 *
 * <p>Values are what the PostgreSQL driver returns, with two conversions: SQL arrays become unmodifiable
 * {@link List}s and {@code timestamp}/{@code timestamptz} values become {@link java.time.Instant}s. SQL {@code NULL}
 * is {@code null}. Rows are immutable and safe to share between threads, which the optional cache does.
 */
public final class CatalogRow {

    private final String id;
    private final Map<String, Object> fields;

    /**
     * Creates a row.
     *
     * @param id     the row's id, in its text form
     * @param fields field name to value, in selection order; copied
     */
    public CatalogRow(String id, Map<String, ?> fields) {
        this.id = Objects.requireNonNull(id, "id");
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    }

    /**
     * Returns the row's id in its text form, as the lookup key was given.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * Returns a field's value.
     *
     * @param field a field name of the {@link CatalogTable}
     * @return the value, or null for SQL {@code NULL}
     * @throws IllegalArgumentException if the table mapping has no such field
     */
    public Object get(String field) {
        if (!fields.containsKey(field)) {
            throw new IllegalArgumentException("No field '" + field + "' in this catalog row; fields: "
                    + fields.keySet());
        }
        return fields.get(field);
    }

    /**
     * Returns a field as text: strings as they are, other values through {@code toString()}.
     *
     * @param field a field name
     * @return the text, or null for SQL {@code NULL}
     */
    public String getString(String field) {
        Object value = get(field);
        return value == null ? null : value.toString();
    }

    /**
     * Returns an array field as a list of strings; SQL {@code NULL} (the array or an element) is left out.
     *
     * @param field a field name whose column is an SQL array
     * @return the elements as text, never null
     * @throws IllegalArgumentException if the value is not an array
     */
    public List<String> getStringList(String field) {
        Object value = get(field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("Field '" + field + "' is not an array but "
                    + value.getClass().getSimpleName());
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object element : list) {
            if (element != null) {
                out.add(element.toString());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Returns every field, in selection order.
     *
     * @return an unmodifiable map of field name to value (values may be null)
     */
    public Map<String, Object> asMap() {
        return fields;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatalogRow other && id.equals(other.id) && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, fields);
    }

    @Override
    public String toString() {
        return "CatalogRow{id=" + id + ", " + fields + "}";
    }
}
