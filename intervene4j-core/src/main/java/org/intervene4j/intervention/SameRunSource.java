package org.intervene4j.intervention;

/**
 * An intervention whose "source" rows come from the base run itself: {@link IntervenableModel}
 * reads them at the spec's {@code sourceSite} and {@code sourcePositions} while the base runs
 * (after that site's own interventions), and hands them to {@link #apply} as {@code source}
 * when the forward reaches the spec's {@code site}, which must come later in the forward.
 * {@link #needsSource()} stays false: no separate source input is run.
 */
public interface SameRunSource extends Intervention {
}
