//! `portcullis outbox list|show`: reads the messages the file transport wrote to
//! `DATA/outbox/<channel>/` (a channel without SMTP or an SMS gateway), so a developer can follow
//! an invitation link or read an SMS code without a mail server. It reads files only: it opens
//! no database, needs no master key and creates nothing. Messages sent by SMTP or a gateway are
//! not kept and not listed.

use std::path::Path;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};
use portcullis_core::notice::Channel;

use crate::config::{Config, ServeArgs};
use crate::delivery::file::{MessageFile, read_all};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    Email,
    Sms,
}

impl From<ChannelArg> for Channel {
    fn from(c: ChannelArg) -> Channel {
        match c {
            ChannelArg::Email => Channel::Email,
            ChannelArg::Sms => Channel::Sms,
        }
    }
}

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// List the messages written to DATA/outbox/, oldest first
    List {
        /// Only this channel
        #[arg(long, value_enum)]
        channel: Option<ChannelArg>,
        /// One JSON object per line, as stored, instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Print one message: its headers, then its text
    Show {
        /// The message id, or enough of its start to name one message
        id: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

impl OutboxCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        match self {
            OutboxCommand::List {
                channel,
                json,
                serve,
            } => {
                let data = Config::resolve(serve, config_file)?.data;
                let messages = read_all(&data, channel.map(Channel::from));
                if json {
                    for m in &messages {
                        println!("{}", serde_json::to_string(m)?);
                    }
                } else if messages.is_empty() {
                    println!("No messages in {}", data.join("outbox").display());
                } else {
                    print_table(&messages);
                }
                Ok(())
            }
            OutboxCommand::Show { id, serve } => {
                let data = Config::resolve(serve, config_file)?.data;
                let wanted = id.trim();
                if wanted.is_empty() {
                    bail!("give a message id (see `portcullis outbox list`)");
                }
                let found: Vec<MessageFile> = read_all(&data, None)
                    .into_iter()
                    .filter(|m| m.id.starts_with(wanted))
                    .collect();
                match found.as_slice() {
                    [m] => {
                        print_message(m);
                        Ok(())
                    }
                    [] => bail!("no message {wanted} in {}", data.join("outbox").display()),
                    _ => bail!(
                        "{} messages start with {wanted}; give more of the id",
                        found.len()
                    ),
                }
            }
        }
    }
}

/// What a message is about in one line: the subject, or the start of an SMS.
fn topic(m: &MessageFile) -> String {
    let text = m
        .subject
        .clone()
        .unwrap_or_else(|| m.body.lines().next().unwrap_or_default().to_owned());
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}

fn print_table(messages: &[MessageFile]) {
    let to_width = messages
        .iter()
        .map(|m| m.to.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    println!(
        "{:<36}  {:<20}  {:<5}  {:<to_width$}  SUBJECT",
        "ID", "CREATED", "CHAN", "TO"
    );
    for m in messages {
        println!(
            "{:<36}  {:<20}  {:<5}  {:<to_width$}  {}",
            m.id,
            m.created_at,
            m.channel,
            m.to,
            topic(m)
        );
    }
}

fn print_message(m: &MessageFile) {
    println!("Id:      {}", m.id);
    println!("Channel: {}", m.channel);
    if let Some(kind) = &m.kind {
        println!("Kind:    {kind}");
    }
    println!("To:      {}", m.to);
    println!("Date:    {}", m.created_at);
    if let Some(subject) = &m.subject {
        println!("Subject: {subject}");
    }
    println!();
    println!("{}", m.body.trim_end());
}
