//! cty numbers: an exact integer, a float, or a decimal string for anything wider, in the
//! canonical form the codec reads them in.

use std::fmt;

/// A cty number as Terraform encodes it: an exact integer, a float, or a decimal string for
/// anything wider.
///
/// The codec decodes numbers in canonical form (see [`Number::canonical`]): whole numbers
/// in `i64` range are always `Int`, so values compare equal exactly when equal in value.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// Fits in an `i64` exactly.
    Int(i64),
    /// A binary float.
    Float(f64),
    /// Arbitrary precision, kept as its decimal text.
    Big(String),
}

impl Number {
    /// The value as an `i64`, when it is a whole number that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => s.parse().ok(),
        }
    }

    /// Reads decimal text (`-12`, `0.8`, `1e400`) into the canonical form the codec uses:
    /// `Int` for whole numbers that fit an `i64`, `Float` for numbers an `f64` holds
    /// exactly, `Big` (normalised text) for the rest. `None` if the text is not a number.
    /// Exponents beyond ±10000 are refused so that a few bytes of input cannot expand
    /// into megabytes of digits.
    pub fn from_decimal(text: &str) -> Option<Number> {
        Decimal::parse(text).map(Decimal::into_number)
    }

    /// This number in its canonical form (see [`Number::from_decimal`]); `None` for NaN
    /// or a `Big` whose text is not a number. Infinities stay `Float`, as in go-cty.
    pub fn canonical(&self) -> Option<Number> {
        match self {
            Number::Int(i) => Some(Number::Int(*i)),
            Number::Float(f) if f.is_nan() => None,
            Number::Float(f) => Some(match whole_i64(*f) {
                Some(i) => Number::Int(i),
                None => Number::Float(*f),
            }),
            Number::Big(s) => Number::from_decimal(s),
        }
    }

    /// The value as an `f64` (possibly rounded).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Big(s) => s.parse().ok(),
        }
    }
}

/// Shows the number as decimal text (floats in their shortest exact-round-trip form).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

/// `f` as an `i64` when it is a whole number in range.
fn whole_i64(f: f64) -> Option<i64> {
    // 2^63 is exactly representable, so the half-open range test is exact.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

/// A decimal number spelled out without exponent: sign, integer digits without leading
/// zeros, fraction digits without trailing zeros. Zero is `int == "" && frac == ""`.
struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    const MAX_EXPONENT: i64 = 10_000;

    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => {
                let exp = &rest[i + 1..];
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Saturate long exponents instead of overflowing; the range check
                // below refuses them unless the mantissa is zero.
                let significant = digits.trim_start_matches('0');
                let e: i64 = if significant.len() > 8 {
                    i64::MAX / 2
                } else {
                    significant.parse().unwrap_or(0)
                };
                (&rest[..i], if exp.starts_with('-') { -e } else { e })
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits: String = int.chars().chain(frac.chars()).collect();
        if digits.bytes().all(|b| b == b'0') {
            return Some(Decimal {
                negative: false,
                int: String::new(),
                frac: String::new(),
            });
        }
        if !(-Self::MAX_EXPONENT..=Self::MAX_EXPONENT).contains(&exponent) {
            return None;
        }
        // Position of the decimal point within `digits`, after applying the exponent.
        let point = int.len() as i64 + exponent;
        let (int, frac) = if point <= 0 {
            (
                String::new(),
                "0".repeat(point.unsigned_abs() as usize) + &digits,
            )
        } else if point as usize >= digits.len() {
            (
                digits.clone() + &"0".repeat(point as usize - digits.len()),
                String::new(),
            )
        } else {
            let (i, f) = digits.split_at(point as usize);
            (i.to_owned(), f.to_owned())
        };
        Some(Decimal {
            negative,
            int: int.trim_start_matches('0').to_owned(),
            frac: frac.trim_end_matches('0').to_owned(),
        })
    }

    fn into_number(self) -> Number {
        if self.int.is_empty() && self.frac.is_empty() {
            return Number::Int(0);
        }
        let text = self.to_string();
        if self.frac.is_empty() {
            if let Ok(i) = text.parse::<i64>() {
                return Number::Int(i);
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() && self.is_exactly(f) => Number::Float(f),
            _ => Number::Big(text),
        }
    }

    /// Whether `f` is exactly this decimal (not merely its nearest float).
    fn is_exactly(&self, f: f64) -> bool {
        // 1100 fraction digits exceed the 1074 an f64 can have, so this is f's exact
        // expansion, not a rounding of it.
        let exact = format!("{:.1100}", f.abs());
        let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
        f.is_sign_negative() == self.negative
            && int.trim_start_matches('0') == self.int
            && frac.trim_end_matches('0') == self.frac
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}
