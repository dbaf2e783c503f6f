// Command xlsxbench measures writing a Findings sheet of N rows × 15
// columns with excelize's StreamWriter (as report.XLSX does) against
// Python XlsxWriter in constant_memory mode writing the same data, side by
// side in one run: wall time and peak RSS of each writer in its own child
// process, and their ratios. `make bench` runs it for 100k and 1M rows.
//
//	go run ./report/cmd/xlsxbench -rows 100000,1000000
//
// The Go child is this program with -write; the Python child is
// xlsxwriter_bench.py next to this file (Debian python3-xlsxwriter).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

var (
	rules   = []string{"aws.ebs.unattached", "aws.ec2.idle", "aws.eip.unassociated", "m365.ghost-license"}
	cats    = []string{"idle-infrastructure", "idle-infrastructure", "idle-infrastructure", "ghost-license"}
	provs   = []string{"aws", "gcp", "m365"}
	regions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-west-3", "ap-southeast-2"}
	conf    = []string{"high", "medium", "low"}
	classes = []string{"OpEx", "Review", "Prepaid-amortised"}
	header  = []string{"ID", "Rule", "Category", "Provider", "Account", "Region", "Resource ID", "Owner",
		"Confidence", "Class", "First seen", "Effective from", "Monthly cost", "Monthly savings", "Annual savings"}
	epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func main() {
	write := flag.Bool("write", false, "child mode: write one workbook and exit")
	rowsFlag := flag.String("rows", "100000,1000000", "comma-separated row counts")
	out := flag.String("out", "", "child mode: output file")
	python := flag.String("python", "/usr/bin/python3", "Python with xlsxwriter")
	dir := flag.String("dir", os.TempDir(), "where the workbooks are written")
	flag.Parse()
	if *write {
		n, _ := strconv.Atoi(*rowsFlag)
		if err := writeGo(n, *out); err != nil {
			fmt.Fprintln(os.Stderr, "xlsxbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := compare(*rowsFlag, *python, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "xlsxbench:", err)
		os.Exit(1)
	}
}

type result struct {
	wall  time.Duration
	rssMB float64
	cpu   time.Duration
	size  int64
}

func measure(out string, name string, args ...string) (result, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	r := result{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if fi, err := os.Stat(out); err == nil {
		r.size = fi.Size()
	}
	_ = os.Remove(out)
	return r, nil
}

func compare(rowsList, python, dir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	script := filepath.Join(srcDir(), "xlsxwriter_bench.py")
	hasPy := exec.Command(python, "-c", "import xlsxwriter").Run() == nil
	if !hasPy {
		fmt.Printf("XlsxWriter not available (%s -c 'import xlsxwriter' failed): apt-get install -y python3-xlsxwriter; Go only.\n", python)
	}
	fmt.Printf("%-9s  %-22s %9s %9s %10s %9s\n", "rows", "writer", "wall s", "cpu s", "peak MB", "xlsx MB")
	type row struct {
		n      int
		g, p   result
		havePy bool
	}
	var rows []row
	for _, s := range strings.Split(rowsList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-rows %q: %w", s, err)
		}
		r := row{n: n, havePy: hasPy}
		out := filepath.Join(dir, fmt.Sprintf("xlsxbench-go-%d.xlsx", n))
		if r.g, err = measure(out, self, "-write", "-rows", strconv.Itoa(n), "-out", out); err != nil {
			return err
		}
		print1(n, "excelize StreamWriter", r.g)
		if hasPy {
			out := filepath.Join(dir, fmt.Sprintf("xlsxbench-py-%d.xlsx", n))
			if r.p, err = measure(out, python, script, strconv.Itoa(n), out); err != nil {
				return err
			}
			print1(n, "XlsxWriter const_mem", r.p)
		}
		rows = append(rows, r)
	}
	fmt.Printf("\n%-9s %14s %14s %16s\n", "rows", "speed-up (wall)", "speed-up (cpu)", "memory Go/Python")
	for _, r := range rows {
		if !r.havePy {
			continue
		}
		fmt.Printf("%-9d %13.2f× %13.2f× %15.1f×\n", r.n, r.p.wall.Seconds()/r.g.wall.Seconds(),
			r.p.cpu.Seconds()/r.g.cpu.Seconds(), r.g.rssMB/r.p.rssMB)
	}
	fmt.Println("\nTargets: 1M rows ≥ 2.5× faster than XlsxWriter (wall) and < 350 MB peak; 100k rows < 3 s and < 150 MB.")
	for _, r := range rows {
		switch r.n {
		case 1000000:
			fmt.Printf("1M:   speed-up %s, peak %.0f MB: %s\n", ratio(r), r.g.rssMB, verdict(r.havePy && r.p.wall.Seconds()/r.g.wall.Seconds() >= 2.5 && r.g.rssMB < 350))
		case 100000:
			fmt.Printf("100k: %.2f s, peak %.0f MB: %s\n", r.g.wall.Seconds(), r.g.rssMB, verdict(r.g.wall.Seconds() < 3 && r.g.rssMB < 150))
		}
	}
	return nil
}

func ratio(r struct {
	n      int
	g, p   result
	havePy bool
}) string {
	if !r.havePy {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", r.p.wall.Seconds()/r.g.wall.Seconds())
}

func verdict(ok bool) string {
	if ok {
		return "meets the target"
	}
	return "MISSES the target"
}

func print1(n int, name string, r result) {
	fmt.Printf("%-9d  %-22s %9.2f %9.2f %10.0f %9.1f\n", n, name, r.wall.Seconds(), r.cpu.Seconds(), r.rssMB, float64(r.size)/1e6)
}

// srcDir is this program's source directory (for the Python script).
func srcDir() string {
	if d := os.Getenv("XLSXBENCH_DIR"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	for _, c := range []string{filepath.Join(wd, "report", "cmd", "xlsxbench"), wd} {
		if _, err := os.Stat(filepath.Join(c, "xlsxwriter_bench.py")); err == nil {
			return c
		}
	}
	return wd
}

// writeGo writes the workload the way report.XLSX writes Findings: typed
// cells, sanitized text with the Text format, styles per column.
func writeGo(n int, out string) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName("Sheet1", "Findings"); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	dayFmt, moneyFmt := "yyyy-mm-dd", `"$"#,##0.00;-"$"#,##0.00`
	day, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dayFmt})
	money, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	sw, err := f.NewStreamWriter("Findings")
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 15, 16); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, 15)
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	serial := func(t time.Time) float64 { return float64(t.Unix())/86400 + 25569 }
	txt := func(s string) excelize.Cell {
		s, _ = sanitize.Text(s)
		return excelize.Cell{StyleID: text, Value: s}
	}
	for i := 0; i < n; i++ {
		cost := float64(i%1000) + 0.25
		row[0] = txt(fmt.Sprintf("GA-%012x", i))
		row[1] = txt(rules[i%4])
		row[2] = txt(cats[i%4])
		row[3] = txt(provs[i%3])
		row[4] = txt(fmt.Sprintf("%012d", 100000000000+i%50))
		row[5] = txt(regions[i%5])
		row[6] = txt(fmt.Sprintf("vol-%017x", i))
		row[7] = txt(fmt.Sprintf("owner%d@example.com", i%1000))
		row[8] = txt(conf[i%3])
		row[9] = txt(classes[i%3])
		row[10] = excelize.Cell{StyleID: day, Value: serial(epoch.AddDate(0, 0, i%365))}
		row[11] = excelize.Cell{StyleID: day, Value: serial(epoch.AddDate(0, 0, i%365+30))}
		row[12] = excelize.Cell{StyleID: money, Value: cost}
		row[13] = excelize.Cell{StyleID: money, Value: cost / 2}
		row[14] = excelize.Cell{StyleID: money, Value: cost * 6}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(out)
}
