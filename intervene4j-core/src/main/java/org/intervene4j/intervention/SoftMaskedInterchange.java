package org.intervene4j.intervention;

/**
 * The temperature and soft/hard switch of the interventions that swap source values in
 * through a learned sigmoid mask ({@link SigmoidMask}, {@link BoundlessRotatedSpace}); both
 * read source rows.
 */
abstract class SoftMaskedInterchange implements Intervention, SoftMasked {
    private final String type;
    private double temperature;
    private boolean hard;

    /** @param type the intervention's type name, also used in error messages; set the temperature before use */
    SoftMaskedInterchange(String type) {
        this.type = type;
    }

    @Override
    public final double temperature() {
        return temperature;
    }

    @Override
    public final void setTemperature(double tau) {
        if (!(tau > 0 && Double.isFinite(tau))) throw new IllegalArgumentException(type + ": temperature must be > 0, got " + tau);
        this.temperature = tau;
    }

    @Override
    public final boolean hard() {
        return hard;
    }

    @Override
    public final void setHard(boolean hard) {
        this.hard = hard;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final boolean needsSource() {
        return true;
    }
}
