//! Reference tables shipped inside the engine: GB/T 2260 region codes (current and abolished),
//! Chinese surnames and the 56 ethnic groups. They are parsed once, on first use.

use crate::fxhash::FxHashSet;
use std::collections::HashSet;
use std::sync::OnceLock;

const REGIONS: &str = include_str!("../data/regions.tsv");
const SURNAMES: &str = include_str!("../data/surnames.txt");
const ETHNIC: &str = include_str!("../data/ethnic_groups.txt");

/// Whether a region code is current or has been abolished. Resident IDs issued under an abolished
/// code stay valid for life, so both count as known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionStatus {
    Current,
    Abolished,
}

/// One row of the region table.
#[derive(Debug, Clone)]
pub struct Region {
    pub code: u32,
    pub name: &'static str,
    pub status: RegionStatus,
}

fn lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The region table, sorted by code.
pub fn regions() -> &'static [Region] {
    static TABLE: OnceLock<Vec<Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<Region> = lines(REGIONS)
            .filter_map(|l| {
                let mut it = l.split('\t');
                let code = it.next()?.parse().ok()?;
                let name = it.next()?;
                let status = match it.next() {
                    Some("abolished") => RegionStatus::Abolished,
                    _ => RegionStatus::Current,
                };
                Some(Region { code, name, status })
            })
            .collect();
        v.sort_by_key(|r| r.code);
        v
    })
}

/// Looks up a six-digit region code.
pub fn region(code: u32) -> Option<&'static Region> {
    let t = regions();
    t.binary_search_by_key(&code, |r| r.code)
        .ok()
        .map(|i| &t[i])
}

/// Whether the first two digits name a province-level division that exists or existed.
pub fn known_province(prefix: u32) -> bool {
    region(prefix * 10_000).is_some()
}

/// Surnames, compound (two-character) ones first so that an alternation prefers them.
pub fn surnames() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut seen = HashSet::new();
        let mut v: Vec<&'static str> = lines(SURNAMES)
            .flat_map(|l| l.split_whitespace())
            .filter(|s| seen.insert(*s))
            .collect();
        // Longer first: leftmost-first alternation must try 欧阳 before 欧.
        v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        v
    })
}

/// Whether `s` is a known surname.
pub fn is_surname(s: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| surnames().iter().copied().collect())
        .contains(s)
}

/// The 56 ethnic groups, with the 族 suffix.
pub fn ethnic_groups() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| lines(ETHNIC).flat_map(|l| l.split_whitespace()).collect())
}

/// Province-level names, full form first, then the short form used in running text.
pub const PROVINCES: &[(&str, &str)] = &[
    ("北京市", "北京"),
    ("天津市", "天津"),
    ("上海市", "上海"),
    ("重庆市", "重庆"),
    ("河北省", "河北"),
    ("山西省", "山西"),
    ("辽宁省", "辽宁"),
    ("吉林省", "吉林"),
    ("黑龙江省", "黑龙江"),
    ("江苏省", "江苏"),
    ("浙江省", "浙江"),
    ("安徽省", "安徽"),
    ("福建省", "福建"),
    ("江西省", "江西"),
    ("山东省", "山东"),
    ("河南省", "河南"),
    ("湖北省", "湖北"),
    ("湖南省", "湖南"),
    ("广东省", "广东"),
    ("海南省", "海南"),
    ("四川省", "四川"),
    ("贵州省", "贵州"),
    ("云南省", "云南"),
    ("陕西省", "陕西"),
    ("甘肃省", "甘肃"),
    ("青海省", "青海"),
    ("台湾省", "台湾"),
    ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"),
    ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
    ("香港特别行政区", "香港"),
    ("澳门特别行政区", "澳门"),
];

/// Prefecture-level city names without their 市 suffix (e.g. 深圳, 苏州), taken from the current
/// region table, for recognising organisation names that start with a city.
pub fn city_names() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut seen = HashSet::new();
        let mut v: Vec<&'static str> = regions()
            .iter()
            .filter(|r| {
                r.status == RegionStatus::Current && r.code % 100 == 0 && r.code % 10_000 != 0
            })
            .filter_map(|r| r.name.strip_suffix('市'))
            .filter(|n| n.chars().count() >= 2)
            .filter(|n| seen.insert(*n))
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v
    })
}

/// Full names of current prefecture-level divisions (深圳市, 恩施土家族苗族自治州, 阿里地区) and
/// county-level cities (昌吉市), which can begin an address without a province.
pub fn place_names() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut seen = HashSet::new();
        let mut v: Vec<&'static str> = regions()
            .iter()
            .filter(|r| r.status == RegionStatus::Current && r.code % 10_000 != 0)
            .filter(|r| {
                let prefecture = r.code % 100 == 0;
                let county_city = !prefecture && r.name.ends_with('市');
                (prefecture && r.name != "市辖区" && !r.name.contains("直辖")) || county_city
            })
            .map(|r| r.name)
            .filter(|n| n.chars().count() >= 3)
            .filter(|n| seen.insert(*n))
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v
    })
}

/// Names of current county-level districts, counties and banners (南山区, 宜良县, 土默特左旗),
/// which can begin an address written for local readers (住址：南山区人民路675号).
pub fn district_names() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut seen = HashSet::new();
        let mut v: Vec<&'static str> = regions()
            .iter()
            .filter(|r| r.status == RegionStatus::Current && r.code % 100 != 0)
            .map(|r| r.name)
            .filter(|n| n.ends_with(['区', '县', '旗']) && !n.contains("辖"))
            .filter(|n| n.chars().count() >= 3)
            .filter(|n| seen.insert(*n))
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v
    })
}

/// Whether `s` is a place name rather than a person's name (江苏, 深圳, 张家口).
pub fn is_place_name(s: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut h: FxHashSet<&'static str> = FxHashSet::default();
        for (full, short) in PROVINCES {
            h.insert(full);
            h.insert(short);
        }
        h.extend(city_names().iter().copied());
        h.extend(place_names().iter().copied());
        for r in regions() {
            h.insert(r.name);
            if let Some(base) = r.name.strip_suffix(['市', '县', '区']) {
                if base.chars().count() >= 2 {
                    h.insert(base);
                }
            }
        }
        h
    });
    set.contains(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_table_has_current_and_abolished_codes() {
        assert_eq!(region(110101).map(|r| r.name), Some("东城区"));
        assert_eq!(
            region(110101).map(|r| r.status),
            Some(RegionStatus::Current)
        );
        // 北京市崇文区 was merged into 东城区 in 2010; IDs issued there stay valid.
        let chongwen = region(110103).expect("abolished code present");
        assert_eq!(chongwen.status, RegionStatus::Abolished);
        assert!(region(999999).is_none());
        assert!(regions().len() > 6000);
    }

    #[test]
    fn compound_surnames_sort_first() {
        let s = surnames();
        assert!(s.iter().position(|x| *x == "欧阳") < s.iter().position(|x| *x == "欧"));
        assert!(is_surname("诸葛"));
        assert!(!is_surname("的"));
        assert_eq!(ethnic_groups().len(), 56);
        assert!(city_names().contains(&"深圳"));
    }
}
