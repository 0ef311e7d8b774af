//! Safe functions stay sound whatever they are handed: the render entry point never views bytes
//! as text on the word of a `Checked` that may belong to other bytes.

use xconn::source::Source;
use xconn::validate;

/// `render::checked_root` given a verdict for a valid body and bytes that are not UTF-8: no text
/// is viewed from them (it used to build a `&str` unchecked because the verdict had a root).
#[test]
fn checked_root_does_not_trust_a_verdict_for_other_bytes() {
    let good = Source::from_bytes("good.json", br#"{"inputs": [["a"], [1]]}"#.to_vec());
    let checked = validate::check_source(&good, None);
    assert!(checked.root.is_some(), "the verdict has a root");
    let mut bytes = br#"{"inputs": [["a"], ["#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'"', b']', b']', b'}']);
    let other = Source::from_bytes("other.json", bytes);
    assert!(xconn::render::checked_root(&other, &checked).is_none());
    // The same call on the bytes the verdict is for still gives the body.
    assert!(xconn::render::checked_root(&good, &checked).is_some());
}
