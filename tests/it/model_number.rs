//! Decimal text into canonical cty numbers: the form the codec reads and writes.

use actiontrail_provider::model::Number;

#[test]
fn whole_numbers_in_i64_range_are_ints() {
    for (text, want) in [
        ("0", 0),
        ("-0", 0),
        ("+17", 17),
        ("007", 7),
        ("-9223372036854775808", i64::MIN),
        ("9223372036854775807", i64::MAX),
        ("1e3", 1000),
        ("12.000", 12),
        ("1500e-2", 15),
        ("0e99999999999", 0),
    ] {
        assert_eq!(
            Number::from_decimal(text),
            Some(Number::Int(want)),
            "{text}"
        );
    }
}

#[test]
fn exact_binary_fractions_are_floats() {
    for (text, want) in [
        ("1.5", 1.5),
        ("-0.25", -0.25),
        (".5", 0.5),
        ("2.5e-1", 0.25),
    ] {
        assert_eq!(
            Number::from_decimal(text),
            Some(Number::Float(want)),
            "{text}"
        );
    }
    assert_eq!(
        Number::from_decimal("18446744073709551616"),
        Some(Number::Float(18_446_744_073_709_551_616.0))
    );
}

#[test]
fn the_rest_is_normalised_decimal_text() {
    for (text, want) in [
        ("0.8", "0.8"),
        ("-0.10", "-0.1"),
        ("9223372036854775809", "9223372036854775809"),
        ("1.23e-2", "0.0123"),
        ("00.30", "0.3"),
    ] {
        assert_eq!(
            Number::from_decimal(text),
            Some(Number::Big(want.into())),
            "{text}"
        );
    }
}

#[test]
fn refuses_text_that_is_not_a_decimal_number() {
    for text in [
        "", "-", ".", "1e", "e5", "1.2.3", "0x10", "NaN", "Inf", "1_000", " 1", "1e+",
    ] {
        assert_eq!(Number::from_decimal(text), None, "{text:?}");
    }
}

#[test]
fn refuses_exponents_that_would_expand_into_megabytes() {
    assert_eq!(Number::from_decimal("1e10001"), None);
    assert_eq!(Number::from_decimal("1e-999999999999999"), None);
    assert!(matches!(
        Number::from_decimal("1e400"),
        Some(Number::Big(_))
    ));
}

#[test]
fn canonical_form_of_each_variant() {
    assert_eq!(Number::Float(3.0).canonical(), Some(Number::Int(3)));
    assert_eq!(Number::Float(0.5).canonical(), Some(Number::Float(0.5)));
    assert_eq!(Number::Float(f64::NAN).canonical(), None);
    assert_eq!(Number::Float(1e300).canonical(), Some(Number::Float(1e300)));
    assert_eq!(Number::Big("12".into()).canonical(), Some(Number::Int(12)));
    assert_eq!(Number::Big("bogus".into()).canonical(), None);
}
