package ui

import (
	"strings"
	"testing"
)

// TestShiftTabOnAnInvalidFirstFieldKeepsFocus: huh v2 blurs the field and
// then refuses to leave a page with errors, which left no field focused
// and every key dead. The wizard keeps the focus there and shows why.
func TestShiftTabOnAnInvalidFirstFieldKeepsFocus(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText("PRD")
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket)
	p := h.m.wiz.p
	h.clearInput(len(p.OrigBucket))
	h.typeText("ab")
	h.press("shift+tab")
	h.typeText("c")
	if p.OrigBucket != "abc" {
		t.Fatalf("typing after shift+tab on an invalid field did nothing: bucket %q; screen:\n%s", p.OrigBucket, h.screen())
	}
	h.clearInput(3)
	h.typeText("ab")
	h.press("shift+tab")
	if s := h.screen(); !strings.Contains(s, "3 to 63 characters") {
		t.Errorf("shift+tab on an invalid field does not say why it stays:\n%s", s)
	}
	// Once the value is valid, shift+tab goes back a page.
	h.typeText("c-bucket")
	h.press("shift+tab")
	h.waitFocus(fieldReplication)
}

// TestNoColorConfirmMarksTheChosenButton: without colour the buttons
// differ only by their background, which is gone, so the chosen one is
// marked with brackets.
func TestNoColorConfirmMarksTheChosenButton(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1", NoColor: true})
	h.m.land = testLandscape()
	h.m.showPlan(testLandscape(), testPlan(testLandscape()), scrHome)
	h.press("a")
	h.waitScreen("Apply this plan")
	if s := h.screen(); !strings.Contains(s, "[Cancel]") || strings.Contains(s, "[Apply]") {
		t.Errorf("the default (Cancel) is not marked:\n%s", s)
	}
	h.press("left")
	if s := h.screen(); !strings.Contains(s, "[Apply]") || strings.Contains(s, "[Cancel]") {
		t.Errorf("Apply is not marked after ←:\n%s", s)
	}
}
