package org.intervene4j.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ColourScaleTest {
    @Test
    void stopsAreExactAndBetweenStopsIsTheLinearMix() {
        assertThat(ColourScale.VIRIDIS.at(0).hex()).isEqualTo("#440154");
        assertThat(ColourScale.VIRIDIS.at(0.5).hex()).isEqualTo("#21918c");
        assertThat(ColourScale.VIRIDIS.at(1).hex()).isEqualTo("#fde725");
        // 0.95: halfway between #bddf26 (189, 223, 38) and #fde725 (253, 231, 37)
        assertThat(ColourScale.VIRIDIS.at(0.95)).isEqualTo(new Rgb(221, 227, 38));
        assertThat(ColourScale.VIRIDIS.at(-3)).isEqualTo(ColourScale.VIRIDIS.at(0));
        assertThat(ColourScale.VIRIDIS.at(7)).isEqualTo(ColourScale.VIRIDIS.at(1));
    }

    @Test
    void bothScalesGetStrictlyLighterOrDarkerAlongTheWay() {
        // what makes a sequential scale readable: luminance changes monotonically (viridis up, oranges down)
        double previousViridis = -1;
        double previousOranges = 2;
        for (int i = 0; i <= 100; i++) {
            double v = ColourScale.VIRIDIS.at(i / 100.0).luminance();
            double o = ColourScale.ORANGES.at(i / 100.0).luminance();
            assertThat(v).as("viridis at %d%%", i).isGreaterThanOrEqualTo(previousViridis);
            assertThat(o).as("oranges at %d%%", i).isLessThanOrEqualTo(previousOranges);
            previousViridis = v;
            previousOranges = o;
        }
        assertThat(ColourScale.VIRIDIS.at(1).luminance() - ColourScale.VIRIDIS.at(0).luminance()).isGreaterThan(0.7);
    }

    @Test
    void cellTextContrastsWithItsFill() {
        for (int i = 0; i <= 20; i++) {
            Rgb fill = ColourScale.VIRIDIS.at(i / 20.0);
            double a = fill.luminance() + 0.05;
            double b = fill.textColour().luminance() + 0.05;
            assertThat(Math.max(a, b) / Math.min(a, b)).as("contrast on %s", fill.hex()).isGreaterThanOrEqualTo(4.5);
        }
    }

    @Test
    void widthScaleIsLogarithmicFromZeroToD() {
        WidthScale s = new WidthScale(255);
        assertThat(s.position(0)).isEqualTo(0);
        assertThat(s.position(255)).isEqualTo(1);
        assertThat(s.position(15)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.position(1000)).isEqualTo(1);
        assertThat(s.ticks()).containsExactly(0, 3, 15, 63, 255);
        assertThat(new WidthScale(4096).ticks()).startsWith(0).endsWith(4096).isSorted();
        assertThat(new WidthScale(1).ticks()).containsExactly(0, 1);
    }
}
