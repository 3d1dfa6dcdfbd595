package io.synscope.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The spreadsheet-formula guard of CSV text cells (docs/csv.md#spreadsheets-and-formulas). */
class CsvReportTest {
    @Test
    void textThatStartsLikeAFormulaIsWrittenAsText() {
        for (String formula : new String[] {"=1+2", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"}) {
            assertEquals("'" + formula, CsvReport.text(formula));
        }
        for (String plain : new String[] {"", "ShADadFf", "10.77.0.1", "((ip.src==a))", "a=b"}) {
            assertEquals(plain, CsvReport.text(plain));
        }
    }
}
