package awssim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// postPricing sends a raw awsJson1_1 GetProducts request with a SigV4-shaped
// Authorization header (the simulator reads the scope, not the signature).
func postPricing(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSPriceListService.GetProducts")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+AccessKeyID+"/20261202/us-east-1/pricing/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return resp.StatusCode, out
}

func TestGetProductsDocumentsAndPaging(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, "aws:\n  accounts:\n    - id: \"111111111111\"\n")
	body := `{"ServiceCode":"AmazonEC2","FormatVersion":"aws_v1","MaxResults":3,"Filters":[
		{"Type":"TERM_MATCH","Field":"regionCode","Value":"us-east-1"},
		{"Type":"TERM_MATCH","Field":"instanceType","Value":"m5.large"}]}`
	var docs []string
	for page := 0; ; page++ {
		status, out := postPricing(t, srv.URL, body)
		if status != 200 {
			t.Fatalf("status %d: %v", status, out)
		}
		if out["FormatVersion"] != "aws_v1" {
			t.Errorf("FormatVersion %v", out["FormatVersion"])
		}
		for _, d := range out["PriceList"].([]any) {
			s, ok := d.(string)
			if !ok {
				t.Fatalf("PriceList holds a %T, want JSON strings", d)
			}
			docs = append(docs, s)
		}
		tok, _ := out["NextToken"].(string)
		if tok == "" {
			if page != 2 {
				t.Errorf("%d pages, want 3 (7 m5.large SKUs, 3 per page)", page+1)
			}
			break
		}
		body = `{"ServiceCode":"AmazonEC2","MaxResults":3,"NextToken":"` + tok + `","Filters":[
		{"Type":"TERM_MATCH","Field":"regionCode","Value":"us-east-1"},
		{"Type":"TERM_MATCH","Field":"instanceType","Value":"m5.large"}]}`
	}
	if len(docs) != 7 {
		t.Fatalf("%d products, want 7 (Linux, Windows, Dedicated, SQL, RHEL, 2 capacity reservation)", len(docs))
	}
	var linux int
	for _, d := range docs {
		var p struct {
			Product struct {
				Attributes map[string]string `json:"attributes"`
				SKU        string            `json:"sku"`
			} `json:"product"`
			Terms map[string]map[string]struct {
				SKU             string `json:"sku"`
				OfferTermCode   string `json:"offerTermCode"`
				PriceDimensions map[string]struct {
					Unit         string            `json:"unit"`
					PricePerUnit map[string]string `json:"pricePerUnit"`
				} `json:"priceDimensions"`
			} `json:"terms"`
		}
		if err := json.Unmarshal([]byte(d), &p); err != nil {
			t.Fatal(err)
		}
		a := p.Product.Attributes
		if a["operatingSystem"] != "Linux" || a["tenancy"] != "Shared" || a["preInstalledSw"] != "NA" || a["capacitystatus"] != "Used" {
			continue
		}
		linux++
		od := p.Terms["OnDemand"][p.Product.SKU+"."+onDemandTermCode]
		dim := od.PriceDimensions[p.Product.SKU+"."+onDemandTermCode+"."+onDemandRateCode]
		if od.SKU != p.Product.SKU || dim.Unit != "Hrs" || dim.PricePerUnit["USD"] != "0.096" {
			t.Errorf("Linux on-demand term: %+v", od)
		}
		if len(p.Terms["Reserved"]) != 1 {
			t.Errorf("the Linux SKU should carry a Reserved decoy term: %+v", p.Terms["Reserved"])
		}
	}
	if linux != 1 {
		t.Errorf("%d Linux shared used SKUs, want 1", linux)
	}
}

func TestGetProductsErrors(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, "aws:\n  accounts:\n    - id: \"111111111111\"\n")
	for body, code := range map[string]string{
		`{}`: "InvalidParameterException",
		`{"ServiceCode":"AmazonEC2","MaxResults":101}`:                                     "InvalidParameterException",
		`{"ServiceCode":"AmazonEC2","FormatVersion":"aws_v2"}`:                             "InvalidParameterException",
		`{"ServiceCode":"AmazonEC2","Filters":[{"Type":"REGEX","Field":"a","Value":"b"}]}`: "InvalidParameterException",
		`{"ServiceCode":"AmazonEC2","NextToken":"garbage"}`:                                "InvalidNextTokenException",
	} {
		status, out := postPricing(t, srv.URL, body)
		if status != 400 || out["__type"] != code {
			t.Errorf("%s: %d %v, want 400 %s", body, status, out, code)
		}
	}
}

func TestPriceListSectionValidated(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"aws:\n  accounts:\n    - id: \"111111111111\"\n  price_list:\n    - {unit: Hrs, usd: \"1\"}\n":                                         "aws.price_list[0].service_code",
		"aws:\n  accounts:\n    - id: \"111111111111\"\n  price_list:\n    - {service_code: AmazonEC2, usd: \"1\"}\n":                           "aws.price_list[0].unit",
		"aws:\n  accounts:\n    - id: \"111111111111\"\n  price_list:\n    - {service_code: AmazonEC2, unit: Hrs, usd: \"-1\"}\n":               "aws.price_list[0].usd",
		"aws:\n  accounts:\n    - id: \"111111111111\"\n  price_list:\n    - {service_code: AmazonEC2, unit: Hrs, usd: \"0.1\", colour: red}\n": "colour",
	} {
		e, err := estate.Parse("t.yaml", []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Load(e); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one naming %s", in, err, want)
		}
	}
}
