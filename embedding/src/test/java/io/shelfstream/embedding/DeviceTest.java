package io.shelfstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceTest {

    @ParameterizedTest
    @CsvSource({
        "auto, auto",
        "cpu, cpu",
        "cuda, cuda:0",
        "cuda:0, cuda:0",
        "cuda:3, cuda:3",
        "' CUDA:1 ', cuda:1",
        "Auto, auto"
    })
    void parsesEveryDocumentedFormToItsCanonicalText(String text, String canonical) {
        Device device = Device.parse(text);
        assertThat(device.toString()).isEqualTo(canonical);
        assertThat(Device.parse(device.toString())).isEqualTo(device);
    }

    @Test
    void cudaDeviceKnowsItsIndex() {
        assertThat(Device.parse("cuda:2").isCuda()).isTrue();
        assertThat(Device.parse("cuda:2").gpuIndex()).isEqualTo(2);
        assertThat(Device.CPU.gpuIndex()).isEqualTo(-1);
        assertThat(Device.AUTO.isAuto()).isTrue();
        assertThat(Device.parse("cpu")).isSameAs(Device.CPU);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "", "cuda:", "cuda:-1", "cuda:x", "cuda:99999999999", "cpu:0"})
    void rejectsUnknownDevicesWithTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Device.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use auto, cpu, cuda or cuda:N");
    }

    @Test
    void rejectsNullAndNegativeIndexWithAHint() {
        assertThatThrownBy(() -> Device.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, cpu, cuda or cuda:N");
        assertThatThrownBy(() -> Device.cuda(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be >= 0 (0 is the first GPU)");
    }

    @Test
    void survivesJavaSerializationAsTheSameConstant() throws Exception {
        assertThat(roundTrip(Device.AUTO)).isSameAs(Device.AUTO);
        assertThat(roundTrip(Device.CPU)).isSameAs(Device.CPU);
        assertThat(roundTrip(Device.cuda(1))).isEqualTo(Device.cuda(1));
    }

    static Object roundTrip(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
