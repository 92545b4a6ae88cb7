"""Writes a canonical deals.csv as the CRMs' own exports, with the standard library only, for
the load benchmark (crmq-bench run --exports): the same deals as

  amocrm/amocrm_export.csv   amoCRM: Russian headers, dd.mm.yyyy HH:MM:SS, "не закрыта", UTF-8
  bitrix24/deals.csv         Bitrix24: every field quoted and followed by ';', Windows-1251,
                             decimal commas, won/lost stages named the Bitrix24 way

usage: python3 bench/make_exports.py DEALS.csv OUT_DIR
"""
import csv, os, sys

def ddmm(ts):
    return f"{ts[8:10]}.{ts[5:7]}.{ts[:4]}{ts[10:]}" if ts else ""

def main():
    source, out = sys.argv[1], sys.argv[2]
    os.makedirs(f"{out}/amocrm", exist_ok=True)
    os.makedirs(f"{out}/bitrix24", exist_ok=True)
    with open(source, newline="", encoding="utf-8") as f, \
         open(f"{out}/amocrm/amocrm_export.csv", "w", newline="", encoding="utf-8") as amo, \
         open(f"{out}/bitrix24/deals.csv", "w", newline="", encoding="cp1251", errors="replace") as bitrix:
        rows = csv.reader(f)
        header = next(rows)
        extras = header[14:]
        a = csv.writer(amo, lineterminator="\n")
        a.writerow(["ID", "Название сделки", "Бюджет", "Ответственный", "Дата создания сделки", "Дата закрытия",
                    "Этап сделки", "Воронка", "Компания", "Источник", "Причина отказа"] + extras)
        def quoted(fields):
            return "".join('"' + x.replace('"', '""') + '";' for x in fields) + "\r\n"
        bitrix.write(quoted(["ID", "Название сделки", "Направление", "Стадия сделки", "Группа стадий", "Сумма", "Валюта",
                             "Ответственный", "Компания", "Источник", "Дата создания", "Дата закрытия", "Сделка закрыта"] + extras))
        for row in rows:
            id_, name, pipe, stage, status, amount, cur, man, _cid, client, src, loss, created, closed = row[:14]
            more = row[14:]
            a.writerow([id_, name, amount, man, ddmm(created), ddmm(closed) if closed else "не закрыта", stage, pipe,
                        client, src, loss] + more)
            b_stage = {"won": "Сделка успешна", "lost": "Сделка провалена"}.get(status, stage)
            group = {"won": "Успешные", "lost": "Провал"}.get(status, "В работе")
            bitrix.write(quoted([id_, name, pipe, b_stage, group, amount.replace(".", ","), cur, man, client, src,
                                 ddmm(created), ddmm(closed), "Да" if closed else "Нет"] + more))

if __name__ == "__main__":
    main()
