//! Exercise files (SPEC §8): pest's pairs of the `exercise_file` rule to
//! [`ExerciseFile`]. Blocks, expressions and statements are built as in a program;
//! what the statements mean is `crate::grade`'s to check.

use pest::iterators::{Pair, Pairs};

use super::{Builder, Result, Rule};
use crate::ast::{ExerciseFile, ExerciseItem, ExerciseItemKind, GradingOption, QuestionPoints, Text};
use crate::span::Span;

impl Builder<'_> {
    pub fn exercise_file(&self, pair: Pair<'_, Rule>) -> Result<ExerciseFile> {
        let mut items = Vec::new();
        for pair in pair.into_inner() {
            if pair.as_rule() == Rule::EOI {
                continue;
            }
            items.push(self.exercise_item(pair)?);
        }
        Ok(ExerciseFile { items })
    }

    fn exercise_item(&self, pair: Pair<'_, Rule>) -> Result<ExerciseItem> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::exercise_title => {
                let _kw = self.next(&mut inner, "'exercise'", span)?;
                ExerciseItemKind::Title(self.text(self.next(&mut inner, "a title", span)?)?)
            }
            Rule::setup_section | Rule::reference_section => {
                let _kw = self.next(&mut inner, "a section keyword", span)?;
                let (block, _) = self.block(self.next(&mut inner, "a block", span)?)?;
                if rule == Rule::setup_section {
                    ExerciseItemKind::Setup(block)
                } else {
                    ExerciseItemKind::Reference(block)
                }
            }
            Rule::forbid_stmt => {
                let _kw = self.next(&mut inner, "'forbid'", span)?;
                ExerciseItemKind::Forbid(inner.map(|name| self.ident(name)).collect())
            }
            Rule::question_stmt => {
                let _kw = self.next(&mut inner, "'question'", span)?;
                let name = self.text(self.next(&mut inner, "a question's name", span)?)?;
                let expr = self.expr(self.next(&mut inner, "a question's expression", span)?)?.expr;
                let mut points = None;
                let mut options = Vec::new();
                for part in inner {
                    match part.as_rule() {
                        Rule::question_points => points = Some(self.question_points(part.into_inner(), span)?),
                        _ => options.push(self.grading_option(part)?),
                    }
                }
                ExerciseItemKind::Question {
                    name,
                    expr,
                    points,
                    options,
                }
            }
            Rule::require_stmt => {
                let _kw = self.next(&mut inner, "'require'", span)?;
                let name = self.text(self.next(&mut inner, "a requirement's name", span)?)?;
                let condition = self.expr(self.next(&mut inner, "a condition", span)?)?.expr;
                let options = inner.map(|part| self.grading_option(part)).collect::<Result<_>>()?;
                ExerciseItemKind::Require {
                    name,
                    condition,
                    options,
                }
            }
            Rule::stray_statement => {
                let (stmt, _) = self.statement(self.next(&mut inner, "a statement", span)?)?;
                ExerciseItemKind::Statement(stmt)
            }
            _ => return Err(self.internal("unexpected statement in an exercise file", span)),
        };
        Ok(ExerciseItem { kind, span })
    }

    fn question_points(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<QuestionPoints> {
        let _for = self.next(&mut inner, "'for'", span)?;
        let pattern = self.pattern(self.next(&mut inner, "a pattern", span)?)?;
        let _in = self.next(&mut inner, "'in'", span)?;
        let iterable = self.expr(self.next(&mut inner, "the points", span)?)?.expr;
        Ok(QuestionPoints { pattern, iterable })
    }

    fn grading_option(&self, pair: Pair<'_, Rule>) -> Result<GradingOption> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let name = self.ident(self.next(&mut parts, "an option name", span)?);
        let value = match parts.find(|part| part.as_rule() == Rule::arith) {
            Some(value) => Some(self.expr(value)?.expr),
            None => None,
        };
        Ok(GradingOption { name, value, span })
    }

    /// A string literal with its span.
    fn text(&self, pair: Pair<'_, Rule>) -> Result<Text> {
        let span = self.span(&pair);
        Ok(Text {
            text: self.string(pair)?,
            span,
        })
    }
}
