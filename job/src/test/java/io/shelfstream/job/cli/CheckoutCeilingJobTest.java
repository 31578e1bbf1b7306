package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.taste.TasteSettings;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

class CheckoutCeilingJobTest {

    @Test
    void aggregatesEveryCreatedCheckoutOncePerStudentAndIgnoresReturnsAndMalformedRecords() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder().setBooks(40).setStudents(25)
                .setCheckouts(3_000).setMalformedFraction(0.02).setSeed(7).build());
        List<RawRecord> records = new ArrayList<>();
        Map<String, Long> created = new HashMap<>();
        long returned = 0;
        long offset = 0;
        for (GeneratedRecord r : library.records(EventTopic.CHECKOUTS)) {
            records.add(new RawRecord("checkouts", 0, offset, offset, r.keyBytes(), r.value()));
            offset++;
            if (r.isMalformed()) {
                continue;
            }
            CheckoutEvent e = (CheckoutEvent) r.event();
            if (e.eventType() == CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED) {
                created.merge(e.studentId(), 1L, Long::sum);
            } else {
                returned++;
            }
        }
        assertThat(returned).isPositive();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        Map<String, Long> highest = new HashMap<>();
        long outputs = 0;
        try (CloseableIterator<CheckoutCeilingJob.StudentCount> counts = CheckoutCeilingJob.build(
                env.fromData(records, TypeInformation.of(RawRecord.class)), TasteSettings.DEFAULTS)
                .executeAndCollect()) {
            while (counts.hasNext()) {
                CheckoutCeilingJob.StudentCount c = counts.next();
                highest.merge(c.studentId(), c.checkoutCount(), Math::max);
                outputs++;
            }
        }

        assertThat(highest).isEqualTo(created);
        assertThat(outputs).isEqualTo(created.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void bookVectorIsAUnitVectorThatDependsOnlyOnTheBook() {
        float[] a = CheckoutCeilingJob.bookVector("b-000001");
        float[] again = CheckoutCeilingJob.bookVector("b-000001");
        float[] other = CheckoutCeilingJob.bookVector("b-000002");

        double norm = 0;
        for (float x : a) {
            norm += x * x;
        }
        assertThat(a).hasSize(CheckoutCeilingJob.DIMENSIONS).containsExactly(again);
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(other).isNotEqualTo(a);
    }
}
