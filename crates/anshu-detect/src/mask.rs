//! Masking for display: how a found value is shown in reports unless the user asks for values.
//!
//! This is not the de-identification engine (that lives with the masking capability); it keeps
//! enough of a value for a person to recognise its shape (`138****8000`) and no more.

/// Masks `value` of type `type_id` for display.
pub fn mask_for_display(type_id: &str, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let keep = |head: usize, tail: usize| -> String {
        if n <= head + tail {
            return "*".repeat(n.max(1));
        }
        let mut s: String = chars[..head].iter().collect();
        for c in &chars[head..n - tail] {
            s.push(if c.is_ascii_punctuation() || *c == ' ' {
                *c
            } else {
                '*'
            });
        }
        s.extend(&chars[n - tail..]);
        s
    };
    match type_id {
        "cn_mobile" => mask_digits(value, 3, 4, 11),
        "cn_resident_id" => keep(6, 4),
        "bank_card" => mask_digits(value, 4, 4, usize::MAX),
        "cn_landline" => keep(n.saturating_sub(4).min(4), 2),
        "email" => match value.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => keep(1, 0),
        },
        "person_name" => keep(1, 0),
        "address" | "company_name" => keep(n.min(6).min(n / 2), 0),
        "ipv4" => match value.rsplit_once('.') {
            Some((head, _)) => match head.split_once('.') {
                Some((a, _)) => format!("{a}.*.*.*"),
                None => keep(2, 0),
            },
            None => keep(2, 0),
        },
        "gender" | "ethnicity" => value.to_owned(),
        "birth_date" => keep(4, 0),
        _ => {
            let head = (n / 4).min(4);
            let tail = (n / 4).min(4);
            keep(head, tail)
        }
    }
}

/// Masks digits of the last `width` digits of `value`, keeping `head` and `tail` of them;
/// separators and any prefix (a `+86` country code) are kept as written.
fn mask_digits(value: &str, head: usize, tail: usize, width: usize) -> String {
    let total = value.chars().filter(char::is_ascii_digit).count();
    let start = total.saturating_sub(width);
    let mut seen: usize = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            let i = seen;
            seen += 1;
            let k = i.saturating_sub(start);
            if i < start || k < head || i >= total.saturating_sub(tail) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_shape_only() {
        assert_eq!(mask_for_display("cn_mobile", "13800138000"), "138****8000");
        assert_eq!(
            mask_for_display("cn_mobile", "+86 138 0013 8000"),
            "+86 138 **** 8000"
        );
        assert_eq!(
            mask_for_display("bank_card", "6222 0212 3456 7890"),
            "6222 **** **** 7890"
        );
        assert_eq!(
            mask_for_display("cn_resident_id", "11010519491231002X"),
            "110105********002X"
        );
        assert_eq!(
            mask_for_display("bank_card", "6222021234567890"),
            "6222********7890"
        );
        assert_eq!(
            mask_for_display("email", "tuht9910@corp.com.cn"),
            "t***@corp.com.cn"
        );
        assert_eq!(mask_for_display("person_name", "欧阳艳怡"), "欧***");
        assert_eq!(mask_for_display("ipv4", "64.214.76.39"), "64.*.*.*");
        assert!(!mask_for_display("address", "云南省昆明市宜良县幸福路96号").contains("96"));
        assert_eq!(
            mask_for_display("vin", "LGBE0WGE36FZEPX3L"),
            "LGBE*********PX3L"
        );
    }
}
