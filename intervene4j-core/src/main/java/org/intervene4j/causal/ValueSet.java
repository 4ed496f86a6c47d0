package org.intervene4j.causal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The finite set of values one variable of a {@link CausalModel} may take. Either an explicit
 * collection ({@link #of(Object...)}, {@link #booleans()}) or, for sets too large to list, a
 * membership test with a description ({@link #matching}, {@link #intRange}):
 *
 * <pre>{@code
 * ValueSet flags  = ValueSet.booleans();                 // {false, true}
 * ValueSet colors = ValueSet.of("red", "green");
 * ValueSet cents  = ValueSet.intRange(0, 2000);          // "integers 0..2000"
 * ValueSet even   = ValueSet.matching("even integers", v -> v instanceof Integer i && i % 2 == 0);
 * }</pre>
 */
public final class ValueSet {
    private final String description;
    private final Predicate<Object> member;
    private final List<Object> elements; // null when only a predicate is known

    private ValueSet(String description, Predicate<Object> member, List<Object> elements) {
        this.description = description;
        this.member = member;
        this.elements = elements;
    }

    /** The explicit set {@code values} (no nulls, at least one value; duplicates collapse). */
    public static ValueSet of(Collection<?> values) {
        if (values == null || values.isEmpty()) throw new IllegalArgumentException("value set: needs at least one value");
        Set<Object> set = new LinkedHashSet<>();
        for (Object v : values) set.add(Objects.requireNonNull(v, "value set: values must not be null"));
        List<Object> list = List.copyOf(set);
        return new ValueSet(list.toString(), set::contains, list);
    }

    /** The explicit set of the given values. */
    public static ValueSet of(Object... values) {
        return of(List.of(values));
    }

    /** {@code {false, true}}. */
    public static ValueSet booleans() {
        return of(false, true);
    }

    /** The integers {@code lo..hi} inclusive (boxed {@link Integer}), described as "integers lo..hi". */
    public static ValueSet intRange(int lo, int hi) {
        if (lo > hi) throw new IllegalArgumentException("value set: empty integer range " + lo + ".." + hi);
        return matching("integers " + lo + ".." + hi, v -> v instanceof Integer i && i >= lo && i <= hi);
    }

    /** A set known by a membership test; {@code description} names it in error messages. */
    public static ValueSet matching(String description, Predicate<Object> member) {
        if (description == null || description.isBlank()) throw new IllegalArgumentException("value set: description must not be blank");
        Objects.requireNonNull(member, "value set: membership test must not be null");
        return new ValueSet(description, v -> v != null && member.test(v), null);
    }

    /** Whether {@code value} belongs to the set (null never does). */
    public boolean contains(Object value) {
        return value != null && member.test(value);
    }

    /** Whether the elements can be listed ({@link #elements()}). */
    public boolean isExplicit() {
        return elements != null;
    }

    /** The elements in declaration order; only for explicit sets. */
    public List<Object> elements() {
        if (elements == null) throw new IllegalStateException("value set '" + description + "' is given by a predicate and cannot be listed");
        return elements;
    }

    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
