"""The roadmap report: context, sentences, charts, rendering (the only WeasyPrint import), cache."""
