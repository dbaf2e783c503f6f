package m365plans

import (
	"strings"
	"testing"
)

const testHeader = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n"

func TestParseNormalisesNames(t *testing.T) {
	t.Parallel()
	// The noise saas.md §1.e measured in Microsoft's CSV: a BOM, a part
	// number with a trailing space, NBSPs inside a part number, a trailing
	// tab, upper-case GUIDs, and a quoted field holding a comma.
	in := "\ufeff" + testHeader +
		"# a comment line\n" +
		"Microsoft Entra ID P1_USGOV_GCCHIGH,AAD_PREMIUM_USGOV_GCCHIGH ,DE597797-22FB-4D65-A9FE-B7DBE8893914,MFA_PREMIUM,8a256a2b-b617-496d-b51b-e76466e88db0,Microsoft Azure Multi-Factor Authentication\n" +
		"Microsoft 365 E3 EEA (no Teams),O365_w/o\u00a0Teams\u00a0Bundle_M3,c2fe850d-fbbb-4858-b67d-bd0c6e746da3,SWAY\t,a23b959c-7ce8-4e57-9140-b90eb88a9e97,\"Sway, the app\"\n"
	cat, err := Parse("t.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	gcc := cat.SKUs["AAD_PREMIUM_USGOV_GCCHIGH"]
	if gcc == nil {
		t.Fatalf("trailing space not trimmed from the part number: %v", keys(cat))
	}
	if gcc.ID != "de597797-22fb-4d65-a9fe-b7dbe8893914" {
		t.Errorf("SKU id = %q, want it lower-cased", gcc.ID)
	}
	m3 := cat.SKUs["O365_w/o Teams Bundle_M3"]
	if m3 == nil {
		t.Fatalf("NBSP not normalised to a space: %v", keys(cat))
	}
	if got := m3.Plans["a23b959c-7ce8-4e57-9140-b90eb88a9e97"]; got != "SWAY" {
		t.Errorf("plan name = %q, want SWAY (trailing tab trimmed)", got)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	row := "Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\n"
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "t.csv:1: header: file is empty"},
		{"wrong header", "a,b,c\n" + row, "t.csv:1: header"},
		{"header only", testHeader, "no SKU rows"},
		{"field count", testHeader + row + "Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560\n", "t.csv:3: got 3 fields, want 6"},
		{"bad SKU GUID", testHeader + "# note\n" + row + "Power BI Pro,POWER_BI_PRO,not-a-guid,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\n", "t.csv:4: GUID \"not-a-guid\""},
		{"bad plan GUID", testHeader + "Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4bz,Power BI Pro\n", "t.csv:2: Service_Plan_Id"},
		{"empty part number", testHeader + "Power BI Pro, ,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\n", "t.csv:2: String_Id is empty"},
		{"bare quote", testHeader + row + "Power \"BI\" Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,x\n", "t.csv:3: bare \""},
		{"one id, two part numbers", testHeader + row + "Power BI Pro,POWER_BI_PRO_X,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\n", "t.csv:3: SKU f8a1db68-be16-40ed-86d5-cb42ce701560 is listed as POWER_BI_PRO and as POWER_BI_PRO_X"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.csv", strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestParseSetsAsideAPartNumberWithTwoIDs(t *testing.T) {
	t.Parallel()
	// Microsoft's full CSV lists MCOPSTN5 under two SKU ids; seats are keyed
	// by part number, so such a part number cannot be reasoned about.
	in := testHeader +
		"Skype for Business PSTN Calling Domestic Small,MCOPSTN5,d43177b5-475b-4880-92d4-d54c27b5efbd,MCOPSTN5,9a0125a5-c8f8-4526-b231-49e2abe0ebce,x\n" +
		"Skype for Business PSTN Domestic Calling (120 Minutes),MCOPSTN5,54a152dc-90de-4996-93d2-bc47e670fc06,MCOPSTN5,54a152dc-90de-4996-93d2-bc47e670fc06,x\n" +
		"Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\n"
	cat, err := Parse("t.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if cat.SKUs["MCOPSTN5"] != nil || len(cat.Ambiguous) != 1 || cat.Ambiguous[0] != "MCOPSTN5" {
		t.Errorf("SKUs %v, Ambiguous %v: want MCOPSTN5 set aside", keys(cat), cat.Ambiguous)
	}
	if cat.SKUs["POWER_BI_PRO"] == nil {
		t.Error("POWER_BI_PRO lost")
	}
}

func keys(cat *Catalog) []string {
	var out []string
	for k := range cat.SKUs {
		out = append(out, k)
	}
	return out
}
