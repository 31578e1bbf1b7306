package io.shelfstream.connectors.local.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.hasVector;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.isNull;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchExceptKeywords;
import static io.qdrant.client.ConditionFactory.matchExceptValues;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.ConditionFactory.matchValues;
import static io.qdrant.client.ConditionFactory.nested;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.ConditionFactory.valuesCount;
import static io.qdrant.client.ConditionFactory.geoRadius;
import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.MinShould;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import io.qdrant.client.grpc.JsonWithInt.Value;

class PayloadFilterTest {

    private static final PointKey ID_7 = PointKey.ofNum(7);

    private static final Map<String, Value> BOOK = Map.of(
            "genres", list(List.of(value("fantasy"), value("adventure"))),
            "reading_level", value(5),
            "rating", value(4.5),
            "available", value(true),
            "title", value("The Hobbit"),
            "author", value(Map.of("name", value("Tolkien"), "born", value(1892))),
            "editions", list(List.of(value(Map.of("year", value(1937))), value(Map.of("year", value(1951))))),
            "notes", nullValue(),
            "tags", list(List.of()));

    private static boolean matches(Condition... must) {
        return PayloadFilter.of(true, Filter.newBuilder().addAllMust(List.of(must)).build())
                .test(ID_7, BOOK, Set.of("dense"));
    }

    @Test
    void keywordMatchesAnyElementOfAnArray() {
        assertThat(matches(matchKeyword("genres", "fantasy"))).isTrue();
        assertThat(matches(matchKeyword("genres", "adventure"))).isTrue();
        assertThat(matches(matchKeyword("genres", "horror"))).isFalse();
        assertThat(matches(matchKeyword("title", "The Hobbit"))).isTrue();
        assertThat(matches(matchKeyword("title", "the hobbit"))).as("keywords are case-sensitive").isFalse();
    }

    @Test
    void integerMatchIsTypedAndNeverMatchesDoubles() {
        assertThat(matches(match("reading_level", 5))).isTrue();
        assertThat(matches(match("reading_level", 6))).isFalse();
        Map<String, Value> doubleFive = Map.of("reading_level", value(5.0));
        assertThat(PayloadFilter.of(true, Filter.newBuilder().addMust(match("reading_level", 5)).build())
                .test(ID_7, doubleFive, Set.of())).isFalse();
        assertThat(matches(matchKeyword("reading_level", "5"))).isFalse();
    }

    @Test
    void boolAndAnyOfMatches() {
        assertThat(matches(match("available", true))).isTrue();
        assertThat(matches(match("available", false))).isFalse();
        assertThat(matches(matchKeywords("genres", List.of("horror", "adventure")))).isTrue();
        assertThat(matches(matchKeywords("genres", List.of("horror", "poetry")))).isFalse();
        assertThat(matches(matchValues("reading_level", List.of(4L, 5L)))).isTrue();
        assertThat(matches(matchValues("reading_level", List.of(4L, 6L)))).isFalse();
    }

    @Test
    void exceptMatchesFollowQdrant() {
        assertThat(matches(matchExceptKeywords("title", List.of("Dune")))).isTrue();
        assertThat(matches(matchExceptKeywords("title", List.of("The Hobbit")))).isFalse();
        // one array element outside the list is enough
        assertThat(matches(matchExceptKeywords("genres", List.of("fantasy")))).isTrue();
        assertThat(matches(matchExceptValues("reading_level", List.of(5L)))).isFalse();
        // missing and null fields never match `except`
        assertThat(matches(matchExceptKeywords("missing", List.of("x")))).isFalse();
        assertThat(matches(matchExceptKeywords("notes", List.of("x")))).isFalse();
    }

    @Test
    void rangeCoversIntegersAndDoublesWithStrictAndInclusiveBounds() {
        assertThat(matches(range("reading_level", Range.newBuilder().setGte(5).setLte(5).build()))).isTrue();
        assertThat(matches(range("reading_level", Range.newBuilder().setGt(5).build()))).isFalse();
        assertThat(matches(range("rating", Range.newBuilder().setGt(4).setLt(4.6).build()))).isTrue();
        assertThat(matches(range("rating", Range.newBuilder().setLt(4.5).build()))).isFalse();
        assertThat(matches(range("title", Range.newBuilder().setGt(0).build()))).as("strings are not numbers")
                .isFalse();
    }

    @Test
    void dotPathsReachNestedObjectsButNotArrayElements() {
        assertThat(matches(matchKeyword("author.name", "Tolkien"))).isTrue();
        assertThat(matches(range("author.born", Range.newBuilder().setLt(1900).build()))).isTrue();
        assertThat(matches(match("editions.year", 1937))).as("a plain key step does not enter arrays").isFalse();
        assertThat(matches(match("editions[].year", 1951))).isTrue();
        assertThat(matches(match("editions[0].year", 1937))).isTrue();
        assertThat(matches(match("editions[0].year", 1951))).isFalse();
    }

    @Test
    void shouldNeedsOneMustNotNeedsNone() {
        Filter f = Filter.newBuilder()
                .addShould(matchKeyword("genres", "horror"))
                .addShould(matchKeyword("genres", "fantasy"))
                .addMustNot(match("available", false))
                .build();
        assertThat(PayloadFilter.of(true, f).test(ID_7, BOOK, Set.of())).isTrue();

        Filter noShouldMatches = f.toBuilder().clearShould().addShould(matchKeyword("genres", "horror")).build();
        assertThat(PayloadFilter.of(true, noShouldMatches).test(ID_7, BOOK, Set.of())).isFalse();

        Filter excluded = f.toBuilder().addMustNot(match("reading_level", 5)).build();
        assertThat(PayloadFilter.of(true, excluded).test(ID_7, BOOK, Set.of())).isFalse();
    }

    @Test
    void minShouldCountsMatchingConditions() {
        MinShould two = MinShould.newBuilder()
                .addConditions(matchKeyword("genres", "fantasy"))
                .addConditions(match("reading_level", 5))
                .addConditions(matchKeyword("genres", "horror"))
                .setMinCount(2)
                .build();
        assertThat(PayloadFilter.of(true, Filter.newBuilder().setMinShould(two).build()).test(ID_7, BOOK, Set.of()))
                .isTrue();
        MinShould three = two.toBuilder().setMinCount(3).build();
        assertThat(PayloadFilter.of(true, Filter.newBuilder().setMinShould(three).build()).test(ID_7, BOOK, Set.of()))
                .isFalse();
    }

    @Test
    void missingFieldsFailConditionsExceptEmptinessChecks() {
        assertThat(matches(matchKeyword("missing", "x"))).isFalse();
        assertThat(matches(range("missing", Range.newBuilder().setGt(0).build()))).isFalse();
        assertThat(matches(isEmpty("missing"))).isTrue();
        assertThat(matches(isEmpty("tags"))).as("an empty array is empty").isTrue();
        assertThat(matches(isEmpty("notes"))).as("null is empty").isTrue();
        assertThat(matches(isEmpty("genres"))).isFalse();
        assertThat(matches(isNull("notes"))).isTrue();
        assertThat(matches(isNull("missing"))).as("a missing field is not null").isFalse();
        assertThat(matches(isNull("title"))).isFalse();
    }

    @Test
    void fieldLevelEmptinessAndValueCounts() {
        Condition notEmpty = Condition.newBuilder()
                .setField(FieldCondition.newBuilder().setKey("missing").setIsEmpty(false)).build();
        assertThat(matches(notEmpty)).isFalse();
        Condition notNull = Condition.newBuilder()
                .setField(FieldCondition.newBuilder().setKey("missing").setIsNull(false)).build();
        assertThat(matches(notNull)).isTrue();
        assertThat(matches(valuesCount("genres", ValuesCount.newBuilder().setGte(2).build()))).isTrue();
        assertThat(matches(valuesCount("genres", ValuesCount.newBuilder().setGt(2).build()))).isFalse();
        assertThat(matches(valuesCount("missing", ValuesCount.newBuilder().setLt(1).build()))).isTrue();
    }

    @Test
    void hasIdHasVectorAndNestedFilters() {
        assertThat(matches(hasId(List.of(PointIdFactory.id(7), PointIdFactory.id(8))))).isTrue();
        assertThat(matches(hasId(PointIdFactory.id(UUID.randomUUID())))).isFalse();
        assertThat(matches(hasVector("dense"))).isTrue();
        assertThat(matches(hasVector("sparse"))).isFalse();
        assertThat(matches(filter(Filter.newBuilder().addMustNot(matchKeyword("title", "Dune")).build()))).isTrue();
        // nested: both conditions must hold for the same array element
        Filter sameEdition = Filter.newBuilder()
                .addMust(match("year", 1937))
                .addMust(range("year", Range.newBuilder().setGt(1940).build()))
                .build();
        assertThat(matches(nested("editions", sameEdition))).isFalse();
        assertThat(matches(nested("editions", Filter.newBuilder().addMust(match("year", 1951)).build()))).isTrue();
    }

    @Test
    void conditionsWithoutVariantAreIgnoredAndNoFilterMatchesAll() {
        Filter onlyEmpty = Filter.newBuilder().addShould(Condition.getDefaultInstance()).build();
        assertThat(PayloadFilter.of(true, onlyEmpty).test(ID_7, Map.of(), Set.of())).isTrue();
        assertThat(PayloadFilter.of(false, Filter.getDefaultInstance()).test(ID_7, Map.of(), Set.of())).isTrue();
    }

    @Test
    void invalidRequestsAreRejectedLikeQdrant() {
        assertThatThrownBy(() -> PayloadFilter.of(true, Filter.newBuilder().addMust(matchKeyword("a..b", "x")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("Invalid json path: 'a..b'");
                });
        Condition noCondition = Condition.newBuilder().setField(FieldCondition.newBuilder().setKey("a")).build();
        assertThatThrownBy(() -> PayloadFilter.of(true, Filter.newBuilder().addMust(noCondition).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .contains("At least one field condition must be specified"));
    }

    @Test
    void unsupportedConditionsFailLoudly() {
        for (Condition unsupported : List.of(geoRadius("location", 52.5, 13.4, 1000f), matchText("title", "hob"))) {
            assertThatThrownBy(() -> PayloadFilter.of(true, Filter.newBuilder().addMust(unsupported).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                        assertThat(e.getStatus().getDescription()).contains("LocalQdrantServer does not support");
                    });
        }
    }
}
