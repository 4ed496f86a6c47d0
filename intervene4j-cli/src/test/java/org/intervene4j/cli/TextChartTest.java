package org.intervene4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextChartTest {
    @Test
    void sparklineSpansLowestToHighestBucket() {
        float[] falling = {8, 7, 6, 5, 4, 3, 2, 1};
        assertThat(TextChart.sparkline(falling, 8, false)).isEqualTo("#*+=:-._");
        assertThat(TextChart.sparkline(falling, 8, true)).isEqualTo("\u2588\u2587\u2586\u2585\u2584\u2583\u2582\u2581");
    }

    @Test
    void bucketsAverageTheirSlice() {
        float[] v = {1, 3, 5, 7, 9, 11};
        assertThat(TextChart.bucketMeans(v, 3)).containsExactly(2, 6, 10);
        assertThat(TextChart.sparkline(v, 100, false)).hasSize(6);
        assertThat(TextChart.sparkline(new float[] {2, 2, 2}, 3, false)).isEqualTo("___");
    }

    @Test
    void percentHasOneDecimal() {
        assertThat(TextChart.percent(0.98765)).isEqualTo("98.8%");
    }
}
