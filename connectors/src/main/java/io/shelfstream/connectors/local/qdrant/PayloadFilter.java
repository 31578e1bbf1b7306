package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import io.qdrant.client.grpc.JsonWithInt.Value;

/**
 * A Qdrant {@link Filter} compiled once per request and evaluated against stored points.
 *
 * <p>Semantics follow Qdrant's condition checker: {@code should} needs one match, {@code min_should} needs
 * {@code min_count}, {@code must} needs all, {@code must_not} none; conditions without a variant are
 * dropped. A field condition is checked against every value at its key (array values are checked element
 * by element); a missing key fails every condition except {@code is_empty}, negative {@code is_null} and
 * a {@code values_count} that admits zero. Keyword and integer matches are exact and typed (an integer
 * never matches a double payload value). Geo, datetime and full-text conditions are rejected with
 * UNIMPLEMENTED instead of being approximated.
 */
final class PayloadFilter {

    /** What a condition is evaluated against: a point, or an object inside a payload for nested filters. */
    static final class Target {
        final PointKey id;
        final Map<String, Value> payload;
        final Set<String> vectorNames;

        Target(PointKey id, Map<String, Value> payload, Set<String> vectorNames) {
            this.id = id;
            this.payload = payload;
            this.vectorNames = vectorNames;
        }
    }

    private interface Check {
        boolean test(Target target);
    }

    private interface ValueCheck {
        boolean test(Value value);
    }

    /** Matches every point (no filter in the request). */
    static final PayloadFilter ALL = new PayloadFilter(target -> true);

    private final Check root;

    private PayloadFilter(Check root) {
        this.root = root;
    }

    /** Compiles {@code filter}, or returns {@link #ALL} when the request carries none. */
    static PayloadFilter of(boolean present, Filter filter) {
        return present ? new PayloadFilter(compileFilter(filter)) : ALL;
    }

    boolean test(PointKey id, Map<String, Value> payload, Set<String> vectorNames) {
        return root.test(new Target(id, payload, vectorNames));
    }

    private static Check compileFilter(Filter filter) {
        List<Check> should = compileAll(filter.getShouldList());
        List<Check> must = compileAll(filter.getMustList());
        List<Check> mustNot = compileAll(filter.getMustNotList());
        List<Check> minShould = filter.hasMinShould() ? compileAll(filter.getMinShould().getConditionsList()) : null;
        long minCount = filter.hasMinShould() ? filter.getMinShould().getMinCount() : 0;
        return target -> {
            if (!should.isEmpty() && should.stream().noneMatch(c -> c.test(target))) {
                return false;
            }
            if (minShould != null) {
                long matched = 0;
                for (Check c : minShould) {
                    if (matched >= minCount) {
                        break;
                    }
                    if (c.test(target)) {
                        matched++;
                    }
                }
                if (matched != minCount) {
                    return false;
                }
            }
            for (Check c : must) {
                if (!c.test(target)) {
                    return false;
                }
            }
            for (Check c : mustNot) {
                if (c.test(target)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static List<Check> compileAll(List<Condition> conditions) {
        List<Check> out = new ArrayList<>(conditions.size());
        for (Condition c : conditions) {
            Check check = compileCondition(c);
            if (check != null) {
                out.add(check);
            }
        }
        return out;
    }

    private static Check compileCondition(Condition condition) {
        switch (condition.getConditionOneOfCase()) {
            case FIELD:
                return compileField(condition.getField());
            case IS_EMPTY: {
                JsonPath path = JsonPath.parse(condition.getIsEmpty().getKey());
                return target -> path.values(target.payload).stream().allMatch(PayloadFilter::isNullOrEmptyArray);
            }
            case IS_NULL: {
                JsonPath path = JsonPath.parse(condition.getIsNull().getKey());
                return target -> path.values(target.payload).stream()
                        .anyMatch(v -> v.getKindCase() == Value.KindCase.NULL_VALUE);
            }
            case HAS_ID: {
                Set<PointKey> ids = new HashSet<>();
                for (PointId id : condition.getHasId().getHasIdList()) {
                    ids.add(PointKey.fromProto(id));
                }
                return target -> target.id != null && ids.contains(target.id);
            }
            case FILTER:
                return compileFilter(condition.getFilter());
            case NESTED: {
                if (!condition.getNested().hasFilter()) {
                    throw QdrantErrors.invalidArgument("Nested condition must have a filter");
                }
                JsonPath path = JsonPath.parse(condition.getNested().getKey()).withArraySuffix();
                Check inner = compileFilter(condition.getNested().getFilter());
                return target -> {
                    for (Value v : path.values(target.payload)) {
                        if (v.getKindCase() == Value.KindCase.STRUCT_VALUE
                                && inner.test(new Target(null, v.getStructValue().getFieldsMap(), Set.of()))) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case HAS_VECTOR: {
                String name = condition.getHasVector().getHasVector();
                return target -> target.vectorNames.contains(name);
            }
            default:
                return null;
        }
    }

    private static boolean isNullOrEmptyArray(Value v) {
        return v.getKindCase() == Value.KindCase.NULL_VALUE
                || (v.getKindCase() == Value.KindCase.LIST_VALUE && v.getListValue().getValuesCount() == 0);
    }

    private static Check compileField(FieldCondition field) {
        boolean anyCondition = field.hasMatch() || field.hasRange() || field.hasDatetimeRange()
                || field.hasGeoBoundingBox() || field.hasGeoRadius() || field.hasGeoPolygon()
                || field.hasValuesCount() || field.hasIsEmpty() || field.hasIsNull();
        if (!anyCondition) {
            throw QdrantErrors.validation("match", "At least one field condition must be specified");
        }
        if (field.hasGeoBoundingBox() || field.hasGeoRadius() || field.hasGeoPolygon()) {
            throw QdrantErrors.unsupported("geo filter conditions (geo_bounding_box, geo_radius, geo_polygon)");
        }
        if (field.hasDatetimeRange()) {
            throw QdrantErrors.unsupported("datetime_range filter conditions");
        }
        JsonPath path = JsonPath.parse(field.getKey());
        ValueCheck match = field.hasMatch() ? compileMatch(field.getMatch()) : null;
        ValueCheck range = field.hasRange() ? compileRange(field.getRange()) : null;
        ValuesCount count = field.hasValuesCount() ? field.getValuesCount() : null;
        Boolean isEmpty = field.hasIsEmpty() ? field.getIsEmpty() : null;
        Boolean isNull = field.hasIsNull() ? field.getIsNull() : null;

        ValueCheck checkMatch = v -> (match != null && match.test(v))
                || (range != null && range.test(v))
                || (count != null && countFrom(count, v))
                || (isEmpty != null && checkIsEmpty(isEmpty, v))
                || (isNull != null && checkIsNull(isNull, v));
        ValueCheck check = v -> {
            if (count != null) {
                return countFrom(count, v);
            }
            if (isEmpty != null) {
                return checkIsEmpty(isEmpty, v);
            }
            if (isNull != null) {
                return checkIsNull(isNull, v);
            }
            if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
                for (Value item : v.getListValue().getValuesList()) {
                    if (checkMatch.test(item)) {
                        return true;
                    }
                }
                return false;
            }
            return checkMatch.test(v);
        };
        boolean whenMissing = count != null ? checkCount(count, 0)
                : isEmpty != null ? isEmpty
                : isNull != null && !isNull;
        return target -> {
            List<Value> values = path.values(target.payload);
            if (values.isEmpty()) {
                return whenMissing;
            }
            for (Value v : values) {
                if (check.test(v)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static ValueCheck compileMatch(Match match) {
        switch (match.getMatchValueCase()) {
            case KEYWORD: {
                String keyword = match.getKeyword();
                return v -> v.getKindCase() == Value.KindCase.STRING_VALUE && v.getStringValue().equals(keyword);
            }
            case INTEGER: {
                long integer = match.getInteger();
                return v -> v.getKindCase() == Value.KindCase.INTEGER_VALUE && v.getIntegerValue() == integer;
            }
            case BOOLEAN: {
                boolean bool = match.getBoolean();
                return v -> v.getKindCase() == Value.KindCase.BOOL_VALUE && v.getBoolValue() == bool;
            }
            case KEYWORDS: {
                Set<String> any = new HashSet<>(match.getKeywords().getStringsList());
                return v -> v.getKindCase() == Value.KindCase.STRING_VALUE && any.contains(v.getStringValue());
            }
            case INTEGERS: {
                Set<Long> any = new HashSet<>(match.getIntegers().getIntegersList());
                return v -> v.getKindCase() == Value.KindCase.INTEGER_VALUE && any.contains(v.getIntegerValue());
            }
            case EXCEPT_KEYWORDS: {
                Set<String> except = new HashSet<>(match.getExceptKeywords().getStringsList());
                return v -> v.getKindCase() == Value.KindCase.STRING_VALUE
                        ? !except.contains(v.getStringValue())
                        : v.getKindCase() != Value.KindCase.NULL_VALUE;
            }
            case EXCEPT_INTEGERS: {
                Set<Long> except = new HashSet<>(match.getExceptIntegers().getIntegersList());
                return v -> v.getKindCase() == Value.KindCase.INTEGER_VALUE
                        ? !except.contains(v.getIntegerValue())
                        : v.getKindCase() != Value.KindCase.NULL_VALUE;
            }
            case TEXT:
            case PHRASE:
            case TEXT_ANY:
                throw QdrantErrors.unsupported("full-text match conditions (text, phrase, text_any)");
            default:
                throw QdrantErrors.invalidArgument("Malformed Match condition");
        }
    }

    private static ValueCheck compileRange(Range range) {
        return v -> {
            double number;
            if (v.getKindCase() == Value.KindCase.INTEGER_VALUE) {
                number = v.getIntegerValue();
            } else if (v.getKindCase() == Value.KindCase.DOUBLE_VALUE) {
                number = v.getDoubleValue();
            } else {
                return false;
            }
            return (!range.hasLt() || number < range.getLt())
                    && (!range.hasGt() || number > range.getGt())
                    && (!range.hasLte() || number <= range.getLte())
                    && (!range.hasGte() || number >= range.getGte());
        };
    }

    private static boolean countFrom(ValuesCount count, Value v) {
        long n;
        switch (v.getKindCase()) {
            case NULL_VALUE:
                n = 0;
                break;
            case LIST_VALUE:
                n = v.getListValue().getValuesCount();
                break;
            default:
                n = 1;
        }
        return checkCount(count, n);
    }

    private static boolean checkCount(ValuesCount count, long n) {
        return (!count.hasLt() || Long.compareUnsigned(n, count.getLt()) < 0)
                && (!count.hasGt() || Long.compareUnsigned(n, count.getGt()) > 0)
                && (!count.hasLte() || Long.compareUnsigned(n, count.getLte()) <= 0)
                && (!count.hasGte() || Long.compareUnsigned(n, count.getGte()) >= 0);
    }

    private static boolean checkIsEmpty(boolean isEmpty, Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE:
                return isEmpty;
            case LIST_VALUE:
                return (v.getListValue().getValuesCount() == 0) == isEmpty;
            default:
                return !isEmpty;
        }
    }

    private static boolean checkIsNull(boolean isNull, Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE:
                return isNull;
            case LIST_VALUE:
                return v.getListValue().getValuesList().stream()
                        .anyMatch(x -> x.getKindCase() == Value.KindCase.NULL_VALUE) == isNull;
            default:
                return !isNull;
        }
    }
}
